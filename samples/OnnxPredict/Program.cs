using System.Globalization;
using RnnMl.Onnx;

namespace RnnMl.Samples.OnnxPredict;

/// <summary>
/// Scores texts with a text classifier exported to ONNX (e.g. by <c>Sentiment export --onnx FILE</c>), or translates
/// sentences with a translator exported to ONNX (<c>Translation export --onnx FOLDER</c>), on ONNX Runtime alone: this
/// program references neither TorchSharp nor libtorch, and its published folder holds none of their files.
/// </summary>
internal static class Program
{
    private const string Usage = """
        OnnxPredict: scores texts with an RnnMl text classifier exported to ONNX (no TorchSharp, no libtorch).

        Usage:
          OnnxPredict [predict] --onnx FILE "text" ["text"...]
          OnnxPredict translate --onnx FOLDER [--beam N] "sentence" ["sentence"...]
          OnnxPredict --help

        predict prints, per text, the probability of every class and the predicted label.
        translate prints, per sentence, its translation by the exported encoder.onnx and decoder.onnx in FOLDER
        (greedy with --beam 1; default the beam width the translator was trained with).
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
        bool translate = rest.Count > 0 && rest[0] == "translate";
        if (rest.Count > 0 && rest[0] is "predict" or "translate") rest.RemoveAt(0);
        string? onnx = null;
        int? beam = null;
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
            if (translate && rest[i] == "--beam")
            {
                if (i + 1 >= rest.Count || !int.TryParse(rest[++i], NumberStyles.None, CultureInfo.InvariantCulture, out int b) || b < 1)
                    return Bad($"--beam needs a whole number of at least 1, got '{(i < rest.Count ? rest[i] : "")}'");
                beam = b;
                continue;
            }
            if (rest[i].StartsWith("--", StringComparison.Ordinal))
                return Bad($"unknown option '{rest[i]}' (it takes --onnx {(translate ? "FOLDER, --beam N and sentences" : "FILE and texts")})");
            texts.Add(rest[i]);
        }
        if (translate) return Translate(onnx, beam, texts);
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

    private static int Translate(string? folder, int? beam, IReadOnlyList<string> sentences)
    {
        if (folder is null) return Bad("translate needs --onnx FOLDER (written by Translation export --onnx FOLDER)");
        if (sentences.Count == 0) return Bad("translate needs at least one sentence, e.g. translate --onnx translation-onnx \"I am a student.\"");
        try
        {
            using var translator = OnnxTranslator.Load(folder);
            var decoding = beam is int b ? translator.Text.Decoding with { BeamWidth = b } : translator.Text.Decoding;
            var translations = translator.Translate(sentences.ToArray(), decoding);
            int width = Math.Min(48, sentences.Max(s => s.Length));
            Console.WriteLine($"{"source".PadRight(width)}  translation (beam {decoding.BeamWidth})");
            for (int i = 0; i < sentences.Count; i++) Console.WriteLine($"{sentences[i].PadRight(width)}  {translations[i]}");
            return 0;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException)
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
