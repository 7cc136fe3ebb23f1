using Microsoft.ML;
using RnnMl.Export;
using RnnMl.MLNet;

namespace RnnMl.Samples.Translation;

/// <summary>The export command: loads a saved translator and writes it as two ONNX graphs (encoder, decoder step) with its
/// tokenizers, vocabularies and decoding settings.</summary>
internal static class ExportCommand
{
    public static int Run(string modelPath, string onnxFolder)
    {
        var ml = new MLContext();
        // A missing, corrupt or foreign file throws FileNotFoundException, InvalidDataException or ArgumentException naming it.
        try
        {
            ml.Model.ExportRnnTranslatorToOnnx(modelPath, onnxFolder);
        }
        catch (ArgumentException e)
        {
            Program.Error($"{modelPath}: {e.Message}");
            return 1;
        }
        var full = Path.GetFullPath(onnxFolder);
        long size = Directory.GetFiles(full, "*.onnx").Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"exported {modelPath} to {full} (encoder.onnx, decoder.onnx; ONNX opset {OnnxExporter.Opset}, {size / 1024.0:F0} KiB)");
        Console.WriteLine($"translate with: dotnet run --project samples/OnnxPredict -- translate --onnx {onnxFolder} \"I am a student.\"");
        return 0;
    }
}
