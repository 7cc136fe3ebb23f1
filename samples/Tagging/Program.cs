using RnnMl.Onnx;

namespace RnnMl.Samples.Tagging;

/// <summary>Entry point: train (default) or tag with a saved model; expected failures become a message and an exit code.</summary>
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
            return o.TagCommand ? Tag(o, output) : TrainCommand.Run(o, output);
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

    /// <summary>Tags each sentence (split by the model's tokenizer) with a saved ONNX model, printing token/TAG pairs.</summary>
    private static int Tag(SampleOptions o, TextWriter output)
    {
        using var tagger = OnnxSequenceTagger.Load(o.ModelPath);
        foreach (var sentence in o.Sentences)
        {
            var (tokens, tags) = tagger.Tag(sentence);
            output.WriteLine(string.Join(" ", tokens.Zip(tags).Select(p => $"{p.First}/{p.Second}")));
        }
        return 0;
    }
}
