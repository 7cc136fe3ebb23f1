using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet;
using RnnMl.MLNet.Generation;
using RnnMl.Torch.Decoding;
using Spectre.Console;

namespace RnnMl.Samples.TextGeneration;

/// <summary><c>generate</c>: loads a saved model and continues a prompt, several samples in one batch.</summary>
internal static class GenerateCommand
{
    public static int Run(GenerateSettings s)
    {
        TorchSharp.torch.set_num_threads(s.Threads);
        var ml = new MLContext();
        var loaded = ml.Model.LoadRnnModel(s.ModelPath, out _);
        var generator = Find(loaded)
            ?? throw new InvalidDataException($"'{Path.GetFullPath(s.ModelPath)}' holds no text generator (it was not saved by this sample)");
        var options = new SamplingOptions
        {
            Temperature = s.Temperature,
            TopK = s.TopK,
            TopP = s.TopP,
            MaxLength = s.MaxLength,
            Seed = s.Seed ?? Random.Shared.Next(),
            StopStrings = s.Stop,
        };
        var samples = generator.Generator.Sample(s.Prompt, s.Count, options);
        for (int i = 0; i < samples.Count; i++)
            AnsiConsole.MarkupLine($"[grey]{i + 1} (seed {options.Seed + i}):[/] [bold]{Markup.Escape(s.Prompt)}[/]{Markup.Escape(samples[i])}");
        generator.Dispose();
        return 0;
    }

    private static RecurrentTextGeneratorTransformer? Find(ITransformer model) => model switch
    {
        RecurrentTextGeneratorTransformer g => g,
        TransformerChain<ITransformer> chain => chain.Select(Find).FirstOrDefault(g => g is not null),
        _ => null,
    };
}
