using RnnMl.Onnx;

namespace RnnMl.Samples.Sentiment;

/// <summary>The predict command on an exported ONNX model: ONNX Runtime only, no TorchSharp type is touched.</summary>
internal static class OnnxPredictCommand
{
    public static int Run(PredictSettings s)
    {
        // A missing file throws FileNotFoundException; a file ONNX Runtime refuses, or one without text settings, InvalidDataException.
        using var classifier = OnnxTextClassifier.Load(s.OnnxPath!);
        if (classifier.ClassCount != 2)
        {
            Program.Error($"{s.OnnxPath}: not a binary classifier (it has {classifier.ClassCount} classes)");
            return 1;
        }
        var predictions = classifier.Predict(s.Texts).Select(p => (p.Probabilities[1], p.PredictedClass == 1)).ToList();
        PredictionTable.Write(s.Texts, predictions);
        return 0;
    }
}
