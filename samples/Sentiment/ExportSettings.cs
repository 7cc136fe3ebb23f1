namespace RnnMl.Samples.Sentiment;

/// <summary>What the export command was asked to do.</summary>
internal sealed class ExportSettings
{
    /// <summary>The saved model to export; default the training command's default output.</summary>
    public string ModelPath { get; set; } = new TrainSettings().ModelOut;

    /// <summary>The ONNX file to write.</summary>
    public string? OnnxPath { get; set; }
}
