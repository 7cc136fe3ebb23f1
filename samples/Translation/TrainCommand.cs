using System.Diagnostics;
using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Translation;
using RnnMl.Samples.Sentiment;
using RnnMl.Text;
using RnnMl.Text.Metrics;
using RnnMl.Torch.Training;
using Spectre.Console;

namespace RnnMl.Samples.Translation;

/// <summary>The default command: make or read the pairs, train the translator through ML.NET, report BLEU for greedy and
/// beam search on held-out pairs, print sample translations, draw an attention heat map and save the model.</summary>
internal static class TrainCommand
{
    private const double ValidationFraction = 0.05;
    private const string HeatmapSentence = "She did not buy the red bag in the park yesterday.";

    public static int Run(TrainSettings s)
    {
        var total = Stopwatch.StartNew();
        AnsiConsole.Write(new Rule("[bold]RnnMl translation sample[/]").LeftJustified());
        string modelPath = OutputPath(s.ModelOut, "--model-out");
        string heatmapPath = OutputPath(s.HeatmapOut, "--heatmap-out");
        var (train, test, description) = LoadData(s);
        string testDescription = "Held-out test";
        if (s.TestSourcePath is not null)
        {
            test = ParallelCorpus.ReadAligned(s.TestSourcePath, s.TestTargetPath!, s.Reverse);
            testDescription = $"Test set {s.TestSourcePath} + {s.TestTargetPath}{(s.Reverse ? " (reversed)" : "")}";
        }
        AnsiConsole.MarkupLine($"[bold]Data:[/] {Markup.Escape(description)}: {train.Count:N0} training pairs, {test.Count:N0} test pairs");

        var ml = new MLContext(seed: s.Seed);
        TorchSharp.torch.set_num_threads(s.Threads);
        // Validation pairs (best epoch, early stopping) come out of the training pairs, never out of the test pairs.
        var shuffled = train.OrderBy(_ => 0).ToArray();
        new Random(s.Seed).Shuffle(shuffled);
        int validCount = Math.Clamp((int)Math.Round(train.Count * ValidationFraction), 1, Math.Max(1, train.Count - 1));
        var valid = shuffled.Take(validCount).ToList();
        var fit = shuffled.Skip(validCount).ToList();
        IDataView View(IEnumerable<(string Source, string Target)> pairs) => ml.Data.LoadFromEnumerable(pairs.Select(p => new SentencePair { Source = p.Source, Target = p.Target }));
        var trainView = View(fit);

        using var cancel = new CancellationTokenSource();
        bool training = true;
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (!Volatile.Read(ref training) || cancel.IsCancellationRequested) return; // a second Ctrl+C ends the program
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        // The progress bar counts target tokens plus the end token, as the training loss does.
        // Subwords are learned at fit; until then the bar counts words, so it fills before the epoch ends with bpe.
        var targetTokenizer = Tokenizer.Create(s.TargetTokenizer == TokenizerKind.Subword ? TokenizerKind.Word : s.TargetTokenizer);
        long tokensPerEpoch = fit.Sum(p => (long)Math.Min(targetTokenizer.Tokenize(p.Target).Count, 100) + 1);
        var display = new TrainingProgressDisplay(tokensPerEpoch);
        var options = new RecurrentTranslatorOptions
        {
            SourceTokenizer = s.SourceTokenizer,
            TargetTokenizer = s.TargetTokenizer,
            SubwordVocabularySize = s.SubwordVocabularySize,
            JointSubwordVocabulary = s.JointSubwordVocabulary,
            // NFC keeps Hangul syllables whole; NFKC would too, but also folds compatibility characters users may want kept.
            Normalization = TextNormalization.NFC,
            Attention = s.Attention,
            Cell = s.Cell,
            NumLayers = s.Layers,
            BatchSize = s.BatchSize,
            BeamWidth = s.BeamWidth,
            MaxTrainingTime = s.Minutes is double m ? TimeSpan.FromMinutes(m) : null,
            Seed = s.Seed,
            Progress = display,
            CancellationToken = cancel.Token,
        };
        s.ApplySizes(options);
        AnsiConsole.MarkupLine($"[bold]Model:[/] bidirectional {s.Cell.ToString().ToUpperInvariant()} encoder and {s.Cell.ToString().ToUpperInvariant()} decoder, {s.Layers} layer(s), " +
            $"hidden size {options.HiddenSize}, embedding size {options.EmbeddingSize}, {s.Attention} attention, {Name(s.SourceTokenizer)} → {Name(s.TargetTokenizer)} tokens; Adam {options.LearningRate}, batch {s.BatchSize}, " +
            $"up to {options.Epochs} epochs{(s.Minutes is double mm ? $" or {mm} minutes" : "")}; {s.Threads} thread(s)");

        var clock = Stopwatch.StartNew();
        RecurrentTranslatorTransformer model;
        try
        {
            model = display.Run(() => ml.Transforms.Text.TranslateText(options).Fit(trainView, View(valid)));
        }
        finally
        {
            Volatile.Write(ref training, false);
            Console.CancelKeyPress -= onCancel;
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;
        using (model)
        {
            var result = model.TrainingResult!;
            AnsiConsole.MarkupLine($"Trained in {trainSeconds:F0} s; {(result.Message is null ? "completed" : Markup.Escape(result.Message))}; kept epoch {result.BestEpoch + 1}.");

            var sources = test.Select(p => p.Source).ToList();
            var references = test.Select(p => p.Target).ToList();
            var greedy = model.Evaluate(sources, references, model.Decoding with { BeamWidth = 1 });
            var beam = model.Evaluate(sources, references);
            var results = new Table().Border(TableBorder.Rounded).AddColumn("Decoding").AddColumn(new TableColumn("BLEU").RightAligned())
                .AddColumn(new TableColumn("BLEU cased").RightAligned()).AddColumn(new TableColumn("chrF").RightAligned())
                .AddColumn(new TableColumn("Exact").RightAligned()).AddColumn(new TableColumn("Sentences/s").RightAligned());
            foreach (var (name, r) in new[] { ("greedy", greedy), ($"beam {s.BeamWidth}", beam) })
                results.AddRow(name, $"{r.Bleu:F1}", $"{Bleu.Corpus(r.Translations, references, lowercase: false):F1}", $"{r.ChrF:F1}", $"{r.ExactMatch:P1}", $"{r.SentencesPerSecond:F0}");
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(testDescription)} ({sources.Count} pairs; BLEU as sacreBLEU computes it, lower-cased and cased; chrF lower-cased):[/]");
            AnsiConsole.Write(results);

            var samples = new Table().Border(TableBorder.Rounded).AddColumn("Source").AddColumn("Reference").AddColumn("Beam search");
            foreach (int i in Enumerable.Range(0, Math.Min(8, sources.Count)))
            {
                bool same = beam.Translations[i].Equals(references[i], StringComparison.OrdinalIgnoreCase);
                samples.AddRow(Markup.Escape(sources[i]), Markup.Escape(references[i]), (same ? "[green]" : "[yellow]") + Markup.Escape(beam.Translations[i]) + "[/]");
            }
            AnsiConsole.Write(samples);

            string heatmapSentence = s.DataPath is null && s.SourcePath is null && !s.Reverse ? HeatmapSentence : sources[0];
            var attention = model.Attend(heatmapSentence);
            if (s.Attention == Torch.Models.AttentionKind.None || attention.Weights.Length == 0)
                AnsiConsole.MarkupLine("[grey]No heat map: the model has no attention.[/]");
            else
            {
                var note = AttentionHeatmap.Save(attention, heatmapPath);
                AnsiConsole.MarkupLine($"Attention heat map of \"{Markup.Escape(heatmapSentence)}\" → \"{Markup.Escape(string.Join(' ', attention.TargetTokens))}\": [link]{Markup.Escape(heatmapPath)}[/]" +
                    (note is null ? "" : $" [grey]({Markup.Escape(note)})[/]"));
            }

            ml.Model.SaveRnnModel(model, trainView.Schema, modelPath);
            AnsiConsole.MarkupLine($"Model saved to [link]{Markup.Escape(modelPath)}[/]; translate with: dotnet run --project samples/Translation -- translate --model {Markup.Escape(s.ModelOut)} \"{Markup.Escape(sources[0])}\"");
            AnsiConsole.MarkupLine($"[bold]BLEU greedy {greedy.Bleu:F1}, beam {beam.Bleu:F1}[/] [grey]({total.Elapsed.TotalSeconds:F0} s in all)[/]");
        }
        return 0;
    }

    private static (List<(string Source, string Target)> Train, List<(string Source, string Target)> Test, string Description) LoadData(TrainSettings s)
    {
        if (s.DataPath is null && s.SourcePath is null)
        {
            var train = KoreanStyleCorpus.Generate(TrainSettings.BuiltInTrainCount, s.Seed);
            var test = KoreanStyleCorpus.Generate(TrainSettings.BuiltInTestCount, s.Seed + 1000, train.Select(p => p.English).ToHashSet());
            List<(string, string)> Orient(IEnumerable<(string English, string Korean)> pairs) =>
                pairs.Select(p => s.Reverse ? (p.Korean, p.English) : (p.English, p.Korean)).ToList();
            return (Orient(train), Orient(test), $"built-in {(s.Reverse ? "Korean → English" : "English → Korean")} corpus");
        }
        var pairs = s.DataPath is not null
            ? ParallelCorpus.ReadTabSeparated(s.DataPath, s.Reverse)
            : ParallelCorpus.ReadAligned(s.SourcePath!, s.TargetPath!, s.Reverse);
        if (s.MaxPairs is int max && pairs.Count > max) pairs = pairs.Take(max).ToList();
        string name = s.DataPath ?? $"{s.SourcePath} + {s.TargetPath}" + (s.Reverse ? " (reversed)" : "");
        // A separate test set (--test-source/--test-target) replaces the held-out pairs: every pair trains.
        if (s.TestSourcePath is not null)
        {
            if (pairs.Count < 2)
                throw new ParallelCorpusFormatException($"{s.DataPath ?? s.SourcePath}: {pairs.Count} pair(s) are too few to train on (at least 2)");
            return (pairs, new List<(string Source, string Target)>(), name);
        }
        if (pairs.Count < 3)
            throw new ParallelCorpusFormatException($"{s.DataPath ?? s.SourcePath}: {pairs.Count} pair(s) are too few to train and test on (at least 3)");
        var order = Enumerable.Range(0, pairs.Count).ToArray();
        new Random(s.Seed).Shuffle(order);
        int testCount = Math.Clamp((int)Math.Round(pairs.Count * TrainSettings.HoldOutFraction), 1, Math.Min(TrainSettings.MaxTestCount, pairs.Count - 2));
        var testSet = order.Take(testCount).ToHashSet();
        return (Enumerable.Range(0, pairs.Count).Where(i => !testSet.Contains(i)).Select(i => pairs[i]).ToList(),
                order.Take(testCount).Select(i => pairs[i]).ToList(), name);
    }

    private static string Name(TokenizerKind kind) => kind switch { TokenizerKind.Word => "word", TokenizerKind.Character => "character", _ => "subword" };

    private static string OutputPath(string path, string option)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
            throw new CommandLineException($"{option}: the folder '{folder}' does not exist");
        return full;
    }
}
