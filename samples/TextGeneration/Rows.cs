namespace RnnMl.Samples.TextGeneration;

/// <summary>One row of the training text (and of prompts) for ML.NET.</summary>
internal sealed class TextRow
{
    public string Text { get; set; } = "";
    public string Prompt { get; set; } = "";
}
