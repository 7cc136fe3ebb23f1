using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Tagging;
using RnnMl.Onnx;

namespace RnnMl.Samples.Tagging;

/// <summary>Entry point: train (default), export a saved model to ONNX, or tag with a saved model; expected failures become a message and an exit code.</summary>
internal static class Program
{
    private static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the sample with the given arguments and writers (the tests call this).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        try
        {
            var o = SampleOptions.Parse(args);
            if (o.Help) { output.WriteLine(SampleOptions.HelpText); return 0; }
            return o.TagCommand ? Tag(o, output) : o.ExportCommand ? Export(o, output) : TrainCommand.Run(o, output);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"error: {e.Message}");
            error.WriteLine("Run with --help to see the options.");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Writes the saved ML.NET model as one ONNX file (<c>ExportRnnModelToOnnx</c>) that <c>OnnxSequenceTagger</c> runs.</summary>
    private static int Export(SampleOptions o, TextWriter output)
    {
        new MLContext(seed: 1).Model.ExportRnnModelToOnnx(o.ModelPath, o.OnnxPath!);
        output.WriteLine($"exported {Path.GetFullPath(o.ModelPath)} to {Path.GetFullPath(o.OnnxPath!)} (ONNX: graph, vocabularies, tag names and CRF scores in one file)");
        return 0;
    }

    /// <summary>Tags each sentence (split by the model's tokenizer) with a saved model, printing token/TAG pairs: an .onnx
    /// file runs on ONNX Runtime (no libtorch), anything else is loaded as a saved ML.NET model.</summary>
    private static int Tag(SampleOptions o, TextWriter output)
    {
        if (o.ModelPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            using var tagger = OnnxSequenceTagger.Load(o.ModelPath);
            foreach (var sentence in o.Sentences)
            {
                var (tokens, tags) = tagger.Tag(sentence);
                output.WriteLine(string.Join(" ", tokens.Zip(tags).Select(p => $"{p.First}/{p.Second}")));
            }
            return 0;
        }
        if (!File.Exists(o.ModelPath)) throw new FileNotFoundException($"no saved model at '{Path.GetFullPath(o.ModelPath)}'", o.ModelPath);
        var loaded = new MLContext(seed: 1).Model.LoadRnnModel(o.ModelPath, out _);
        using var model = loaded as RecurrentSequenceTaggerTransformer
            ?? throw new InvalidDataException($"'{o.ModelPath}' holds no RnnMl sequence tagger ({loaded.GetType().Name})");
        foreach (var sentence in o.Sentences)
        {
            var tokens = model.Info.Tokenizer.Tokenize(sentence);
            var tags = model.Tag(new[] { tokens })[0];
            output.WriteLine(string.Join(" ", tokens.Zip(tags).Select(p => $"{p.First}/{p.Second}")));
        }
        return 0;
    }
}
