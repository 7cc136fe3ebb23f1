namespace RnnMl.Samples.Sentiment;

/// <summary>The binary classifier's outputs for one text.</summary>
public sealed class ReviewPrediction
{
    /// <summary>The probability that the text is positive.</summary>
    public float Probability { get; set; }

    /// <summary>The predicted label: true for positive.</summary>
    public bool PredictedLabel { get; set; }
}
