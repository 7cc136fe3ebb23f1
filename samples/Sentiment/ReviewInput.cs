namespace RnnMl.Samples.Sentiment;

/// <summary>A row of the ML.NET data views: the text and its label (true for positive).</summary>
public sealed class ReviewInput
{
    /// <summary>The text.</summary>
    public string Text { get; set; } = "";

    /// <summary>True for positive.</summary>
    public bool Label { get; set; }
}
