using System.Globalization;
using RnnMl.Onnx;

namespace RnnMl.Samples.OnnxPredict;

/// <summary>
/// Scores texts with a text classifier exported to ONNX (e.g. by <c>Sentiment export --onnx FILE</c>), on ONNX Runtime
/// alone: this program references neither TorchSharp nor libtorch, and its published folder holds none of their files.
/// </summary>
internal static class Program
{
    private const string Usage = """
        OnnxPredict: scores texts with an RnnMl text classifier exported to ONNX (no TorchSharp, no libtorch).

        Usage:
          OnnxPredict [predict] --onnx FILE "text" ["text"...]
          OnnxPredict --help

        Prints, per text, the probability of every class and the predicted label.
        Exit codes: 0 done, 1 bad model file, 2 bad command line.
        """;

    private static int Main(string[] args)
    {
        var rest = args.ToList();
        if (rest.Any(a => a is "--help" or "-h" or "-?"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        if (rest.Count > 0 && rest[0] == "predict") rest.RemoveAt(0);
        string? onnx = null;
        var texts = new List<string>();
        for (int i = 0; i < rest.Count; i++)
        {
            if (rest[i] == "--")
            {
                texts.AddRange(rest.Skip(i + 1));
                break;
            }
            if (rest[i] == "--onnx" || rest[i].StartsWith("--onnx=", StringComparison.Ordinal))
            {
                onnx = rest[i].Length > 6 ? rest[i][7..] : i + 1 < rest.Count ? rest[++i] : null;
                if (string.IsNullOrEmpty(onnx)) return Bad("--onnx needs a file");
                continue;
            }
            if (rest[i].StartsWith("--", StringComparison.Ordinal)) return Bad($"unknown option '{rest[i]}' (it takes --onnx FILE and texts)");
            texts.Add(rest[i]);
        }
        if (onnx is null) return Bad("predict needs --onnx FILE");
        if (texts.Count == 0) return Bad("predict needs at least one text, e.g. --onnx sentiment.onnx \"not bad at all\"");

        try
        {
            using var classifier = OnnxTextClassifier.Load(onnx);
            var predictions = classifier.Predict(texts);
            var names = Enumerable.Range(0, classifier.ClassCount).Select(classifier.Text.ClassName).ToArray();
            Console.WriteLine(string.Join("  ", names.Select(n => $"P({n})".PadLeft(10))) + "  label       text");
            for (int i = 0; i < texts.Count; i++)
            {
                var p = predictions[i];
                var probabilities = string.Join("  ", p.Probabilities.Select((x, k) => x.ToString("F4", CultureInfo.InvariantCulture).PadLeft(Math.Max(10, names[k].Length + 3))));
                Console.WriteLine($"{probabilities}  {p.PredictedLabel,-10}  {texts[i]}");
            }
            return 0;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static int Bad(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        Console.Error.WriteLine("Run with --help to see the options.");
        return 2;
    }
}
