using Microsoft.ML;
using RnnMl.Export;
using RnnMl.MLNet;

namespace RnnMl.Samples.Sentiment;

/// <summary>The export command: loads a saved model and writes its classifier as ONNX with tokenizer, vocabulary and labels.</summary>
internal static class ExportCommand
{
    public static int Run(ExportSettings s)
    {
        var ml = new MLContext();
        // A missing, corrupt or foreign file throws FileNotFoundException or InvalidDataException with a message that names it.
        ml.Model.ExportRnnModelToOnnx(s.ModelPath, s.OnnxPath!, classNames: new[] { "negative", "positive" });
        var size = new FileInfo(s.OnnxPath!).Length;
        Console.WriteLine($"exported {s.ModelPath} to {Path.GetFullPath(s.OnnxPath!)} (ONNX opset {OnnxExporter.Opset}, {size / 1024.0:F0} KiB)");
        Console.WriteLine($"score with: dotnet run --project samples/OnnxPredict -- --onnx {s.OnnxPath} \"not bad at all\"");
        return 0;
    }
}
