namespace RnnMl.MLNet.NumericSequence;

/// <summary>What a recurrent numeric-sequence trainer predicts from a whole sequence, and so its label and output columns.</summary>
public enum NumericSequenceTask
{
    /// <summary>A Single label; outputs <c>Score</c> (Single). Squared-error loss on the standardised label.</summary>
    Regression,

    /// <summary>A Boolean label; outputs <c>Score</c> (the margin), <c>Probability</c> and a Boolean <c>PredictedLabel</c>.</summary>
    BinaryClassification,

    /// <summary>A key label with K values; outputs <c>Score</c> (K probabilities) and a key <c>PredictedLabel</c> with the label's key values.</summary>
    MulticlassClassification,
}
