namespace RnnMl.Samples.Sentiment;

/// <summary>What the predict command was asked to do.</summary>
internal sealed class PredictSettings
{
    /// <summary>A model saved by training (scored with TorchSharp through ML.NET); null when <see cref="OnnxPath"/> is set.</summary>
    public string? ModelPath { get; init; }

    /// <summary>A model exported to ONNX (scored with ONNX Runtime; TorchSharp is never loaded); null when <see cref="ModelPath"/> is set.</summary>
    public string? OnnxPath { get; init; }
    public required IReadOnlyList<string> Texts { get; init; }
}
