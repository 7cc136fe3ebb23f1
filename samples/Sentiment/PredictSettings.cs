namespace RnnMl.Samples.Sentiment;

/// <summary>What the predict command was asked to do.</summary>
internal sealed class PredictSettings
{
    public required string ModelPath { get; init; }
    public required IReadOnlyList<string> Texts { get; init; }
}
