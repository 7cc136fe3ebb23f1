namespace RnnMl.Samples.Translation;

/// <summary>One row of the ML.NET data: a source sentence and its translation.</summary>
public sealed class SentencePair
{
    public string Source { get; set; } = "";
    public string Target { get; set; } = "";
}
