using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Generation;
using RnnMl.Text;
using RnnMl.Torch.Decoding;
using RnnMl.Torch.Training;
using Spectre.Console;

namespace RnnMl.Samples.TextGeneration;

/// <summary>The default command: train a language model through ML.NET, print samples at several temperatures after every epoch, report bits per character, save the model.</summary>
internal static class TrainCommand
{
    private static readonly double[] Temperatures = { 0.3, 0.8, 1.2 };

    public static int Run(TrainSettings s)
    {
        var total = Stopwatch.StartNew();
        string modelPath = Path.GetFullPath(s.ModelOut);
        if (Path.GetDirectoryName(modelPath) is { } folder && !Directory.Exists(folder))
            throw new CommandLineException($"--model-out: the folder '{folder}' does not exist");
        TorchSharp.torch.set_num_threads(s.Threads);
        AnsiConsole.Write(new Rule("[bold]RnnMl text generation sample[/]").LeftJustified());

        var lines = s.DataPath is null ? BuiltInCorpus.Lines(TrainSettings.BuiltInLines, s.Seed) : CorpusFile.Read(s.DataPath);
        long characters = lines.Sum(l => (long)l.Length + 1);
        AnsiConsole.MarkupLine($"[bold]Data:[/] {(s.DataPath is null ? "built-in corpus" : Markup.Escape(s.DataPath))}, {lines.Count:N0} lines, {characters:N0} characters; e.g. \"{Markup.Escape(lines[0])}\"");
        string unit = s.Tokenizer switch { TokenizerKind.Character => "char", TokenizerKind.Word => "word", _ => $"{s.SubwordVocabularySize} subword" };
        AnsiConsole.MarkupLine($"[bold]Model:[/] {s.Cell.ToString().ToUpperInvariant()} {s.Layers}×{s.HiddenSize}, {unit} tokens; {s.Streams} streams × {s.Steps} steps of truncated BPTT; Adam {s.LearningRate.ToString(CultureInfo.InvariantCulture)}, up to {s.Epochs} epochs");

        var ml = new MLContext(seed: s.Seed);
        var data = ml.Data.LoadFromEnumerable(lines.Select(l => new TextRow { Text = l }));
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cancel.IsCancellationRequested) return; // a second Ctrl+C ends the program
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        string status = "starting";
        var options = new RecurrentTextGeneratorOptions
        {
            Tokenizer = s.Tokenizer,
            SubwordVocabularySize = s.SubwordVocabularySize,
            Cell = s.Cell,
            NumLayers = s.Layers,
            HiddenSize = s.HiddenSize,
            Epochs = s.Epochs,
            Streams = s.Streams,
            BpttSteps = s.Steps,
            LearningRate = s.LearningRate,
            Seed = s.Seed,
            Sampling = new SamplingOptions { Temperature = 0.8, MaxLength = 200, Seed = s.Seed },
            CancellationToken = cancel.Token,
            Progress = new Progress(p =>
            {
                if (p.CompletedEpoch is null && p.Message is null)
                    status = $"epoch {p.Epoch + 1}/{p.Epochs}: {p.ItemsProcessed:N0} {unit}s, running {Bits(p.RunningLoss)} bits/{unit}";
            }),
            EpochCompleted = (e, generator) =>
            {
                AnsiConsole.MarkupLine($"epoch {e.Epoch + 1}: train {Bits(e.TrainLoss)} bits/{unit}, " +
                    $"validation {(e.ValidationLoss is double v ? Bits(v) : "–")} bits/{unit}{(e.IsBest ? " [green]best[/]" : "")} [grey]│ {e.Duration.TotalSeconds:F1} s[/]");
                for (int i = 0; i < Temperatures.Length; i++)
                {
                    double t = Temperatures[i];
                    var sample = generator.Generate("", new SamplingOptions { Temperature = t, Seed = s.Seed + 10 * e.Epoch + i, MaxLength = 120, StopStrings = new[] { "\n" } });
                    AnsiConsole.MarkupLine($"  [grey]τ={t.ToString(CultureInfo.InvariantCulture),-4}[/]{Markup.Escape(sample)}");
                }
            },
        };

        RecurrentTextGeneratorTransformer model;
        try
        {
            model = Console.IsOutputRedirected
                ? ml.Transforms.Text.GenerateText(options).Fit(data)
                : AnsiConsole.Status().Start("training…", ctx =>
                {
                    using var timer = new Timer(_ => ctx.Status(Markup.Escape(status)), null, 0, 250);
                    return ml.Transforms.Text.GenerateText(options).Fit(data);
                });
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        using var _ = model;
        var result = model.TrainingResult!;
        if (result.BestEpoch < 0)
        {
            AnsiConsole.MarkupLine("[yellow]Training stopped before the first epoch ended; nothing was saved.[/]");
            return 130;
        }
        var best = result.History[result.BestEpoch];
        double bits = best.ValidationMetrics.GetValueOrDefault(LanguageModelTrainingTask.BitsMetric, double.NaN);
        AnsiConsole.MarkupLine($"[bold]Result:[/] {result.StopReason} after {result.History.Count} epoch(s); keeping epoch {result.BestEpoch + 1}: " +
            $"validation [bold]{Bits(bits * Math.Log(2))} bits/{unit}[/] (perplexity {Math.Pow(2, bits):F2})");

        foreach (var prompt in new[] { "The ", "Two ", "A fox" })
            AnsiConsole.MarkupLine($"  [bold]{Markup.Escape(prompt)}[/]{Markup.Escape(model.Generate(new[] { prompt }, new SamplingOptions { Temperature = 0.5, Seed = s.Seed, MaxLength = 120, StopStrings = new[] { "\n" } })[0])}");

        ml.Model.SaveRnnModel(model, data.Schema, modelPath);
        AnsiConsole.MarkupLine($"Saved the model to [bold]{Markup.Escape(modelPath)}[/] in {total.Elapsed.TotalSeconds:F0} s in all. Try:");
        AnsiConsole.MarkupLine($"  [grey]dotnet run --project samples/TextGeneration -- generate --model {Markup.Escape(s.ModelOut)} --prompt \"The old \"[/]");
        return 0;
    }

    private static string Bits(double nats) => double.IsNaN(nats) ? "–" : (nats / Math.Log(2)).ToString("F3", CultureInfo.InvariantCulture);

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
