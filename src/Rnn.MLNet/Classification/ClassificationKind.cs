namespace RnnMl.MLNet.Classification;

/// <summary>Whether a classifier predicts two classes (a Boolean label) or K classes (a key label).</summary>
public enum ClassificationKind
{
    /// <summary>Boolean label; outputs Score (margin), Probability and a Boolean PredictedLabel.</summary>
    Binary,

    /// <summary>Key label with K values; outputs Score (K probabilities) and a key PredictedLabel.</summary>
    Multiclass,
}
