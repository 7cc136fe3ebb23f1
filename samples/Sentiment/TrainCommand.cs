using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;
using RnnMl.Torch.Layers;
using RnnMl.Text;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using Spectre.Console;

namespace RnnMl.Samples.Sentiment;

/// <summary>The default command: load or make the data, train the recurrent classifier and the bag-of-words baseline,
/// compare them on the test part, save the model and the training plot, and score a few example sentences.</summary>
internal static class TrainCommand
{
    private const int BuiltInTrainSeed = 1;
    private const int BuiltInTestSeed = 2;

    private static readonly string[] Examples =
    {
        "i did not think the plot was boring",
        "good acting , but the story was dull",
        "the film was not bad at all",
        "the film was not good at all",
        "although the pacing was tedious , the ending was brilliant",
        "nobody could say the cast was wonderful",
        "the soundtrack was really charming",
    };

    public static int Run(TrainSettings s)
    {
        var total = Stopwatch.StartNew();
        string modelPath = OutputPath(s.ModelOut, "--model-out");
        string plotPath = OutputPath(s.PlotOut, "--plot-out");

        AnsiConsole.Write(new Rule("[bold]RnnMl sentiment sample[/]").LeftJustified());
        var (train, test) = LoadData(s);
        var ml = new MLContext(seed: s.Seed);
        TorchSharp.torch.set_num_threads(s.Threads);
        var trainView = ml.Data.LoadFromEnumerable(train.Select(r => new ReviewInput { Text = r.Text, Label = r.Label }));
        var testView = ml.Data.LoadFromEnumerable(test.Select(r => new ReviewInput { Text = r.Text, Label = r.Label }));

        // The recurrent classifier.
        using var cancel = new CancellationTokenSource();
        bool training = true;
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (!Volatile.Read(ref training) || cancel.IsCancellationRequested) return; // a second Ctrl+C, or one outside training, ends the program
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var options = s.Options();
        // The same split size as the trainer's: at least one validation row when there are two rows or more, at most MaxValidationRows.
        double fraction = options.ValidationFraction;
        int validCount = fraction > 0 && train.Count > 1 ? Math.Clamp((int)Math.Round(train.Count * fraction), 1, train.Count - 1) : 0;
        validCount = Math.Min(validCount, options.MaxValidationRows ?? int.MaxValue);
        var display = new TrainingProgressDisplay(train.Count - validCount);
        options.Progress = display;
        options.CancellationToken = cancel.Token;
        string modelName = $"{(options.Bidirectional ? "bidirectional " : "")}{CellName(options.Cell)}";
        AnsiConsole.MarkupLine($"[bold]Model:[/] {modelName}, {options.NumLayers} layer{(options.NumLayers == 1 ? "" : "s")}, hidden size {options.HiddenSize}, {options.Pooling.ToString().ToLowerInvariant()} pooling, " +
            $"{options.Tokenizer switch { TokenizerKind.Word => "word", TokenizerKind.Character => "character", _ => $"{options.SubwordVocabularySize} subword" }} tokens; {options.Optimizer}, learning rate {options.LearningRate} ({options.Schedule}), batch {options.BatchSize}, " +
            $"{(options.EnsembleSize > 1 ? $"an ensemble of {options.EnsembleSize} trained in turn (the epoch count restarts for each), " : "")}up to {Plural(options.Epochs, "epoch")}{(options.MinimumSteps is int m ? $" (more on small data, to take at least {m:N0} steps)" : "")}{(options.EarlyStoppingPatience is int p && validCount > 0 ? $" (stops after {p} without a better validation accuracy)" : "")}");
        if (options.PretrainedLanguageModel is { } lm)
            AnsiConsole.MarkupLine($"[grey]Starting from the language model {Markup.Escape(lm)}: its tokenizer, vocabulary, embedding and encoder; the head alone trains in epoch 1, then one more layer per epoch, each lower layer at the rate above / {options.DiscriminativeLearningRateFactor}.[/]");
        AnsiConsole.MarkupLine(s.BuiltIn
            ? $"[grey]Settings: the built-in data's own. {Markup.Escape(TrainSettings.BuiltInSettingsReason)}[/]"
            : "[grey]Settings: the library's defaults (chosen on real data), changed only by the options given.[/]");
        AnsiConsole.MarkupLine(validCount > 0
            ? $"[grey]{train.Count - validCount:N0} rows train the network, {validCount:N0} validate it (best epoch, early stopping); Ctrl+C stops training and keeps the best epoch.[/]"
            : $"[grey]All {train.Count:N0} rows train the network (the library's default: no hold-out; the learning rate decays to 0, so the last epoch is kept); Ctrl+C stops training and keeps the weights so far.[/]");

        var rnnTime = Stopwatch.StartNew();
        RecurrentTextClassifierTransformer rnn;
        try
        {
            rnn = display.Run(() => ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(trainView));
        }
        finally
        {
            Volatile.Write(ref training, false);
            Console.CancelKeyPress -= onCancel;
        }
        rnnTime.Stop();
        using var _ = rnn;
        var result = rnn.TrainingResult!;
        if (result.BestEpoch < 0)
        {
            string why = result.StopReason == TrainingStopReason.Cancelled ? "was cancelled" : $"stopped ({Markup.Escape(result.Message ?? result.StopReason.ToString())})";
            AnsiConsole.MarkupLine($"[yellow]Training {why} before the first epoch ended; nothing was saved.[/]");
            return 130;
        }
        AnsiConsole.MarkupLine(rnn.Members.Count > 1
            ? $"Trained {rnn.Members.Count} models in {rnnTime.Elapsed.TotalSeconds:F1} s: {string.Join("; ", rnn.MemberTrainingResults!.Select(r => $"{StopText(r)}, keeping epoch {r.BestEpoch + 1}"))}."
            : $"Trained in {rnnTime.Elapsed.TotalSeconds:F1} s: {StopText(result)}; keeping epoch {result.BestEpoch + 1}.");

        // The bag-of-words baseline.
        var baselineTime = Stopwatch.StartNew();
        var baselinePipeline = ml.Transforms.Text.FeaturizeText("Features", nameof(ReviewInput.Text))
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: nameof(ReviewInput.Label)));
        var baseline = AnsiConsole.Status().Start("Training the bag-of-words baseline…", _ => baselinePipeline.Fit(trainView));
        baselineTime.Stop();

        var rnnMetrics = ml.BinaryClassification.Evaluate(rnn.Transform(testView));
        var baselineMetrics = ml.BinaryClassification.Evaluate(baseline.Transform(testView));
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"Test part: {test.Count:N0} rows")
            .AddColumn("Metric")
            .AddColumn(new TableColumn($"RnnMl {modelName}").RightAligned())
            .AddColumn(new TableColumn("Bag of words").RightAligned());
        table.AddRow("Accuracy", Percent(rnnMetrics.Accuracy), Percent(baselineMetrics.Accuracy));
        table.AddRow("F1", Percent(rnnMetrics.F1Score), Percent(baselineMetrics.F1Score));
        table.AddRow("AUC", Percent(rnnMetrics.AreaUnderRocCurve), Percent(baselineMetrics.AreaUnderRocCurve));
        table.AddRow("Training time", $"{rnnTime.Elapsed.TotalSeconds:F1} s", $"{baselineTime.Elapsed.TotalSeconds:F1} s");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]Bag of words: ML.NET's FeaturizeText (word and character n-grams) + SdcaLogisticRegression.[/]");

        ml.Model.SaveRnnModel(rnn, trainView.Schema, modelPath);
        AnsiConsole.MarkupLine($"Saved the model to [blue]{Markup.Escape(modelPath)}[/] (score texts with: predict --model {Markup.Escape(s.ModelOut)} \"some text\")");
        TrainingPlot.Save(result.History, result.BestEpoch, $"{modelName}: loss and accuracy per epoch", plotPath, baselineMetrics.Accuracy);
        AnsiConsole.MarkupLine($"Saved the training curves to [blue]{Markup.Escape(plotPath)}[/]");

        PrintExamples(ml, rnn, baseline, modelName);
        AnsiConsole.MarkupLine($"[grey]Total time {total.Elapsed.TotalSeconds:F1} s.[/]");
        return 0;
    }

    private static (IReadOnlyList<LabeledText> Train, IReadOnlyList<LabeledText> Test) LoadData(TrainSettings s)
    {
        IReadOnlyList<LabeledText> train, test;
        if (s.DataPath is null)
        {
            train = SyntheticReviews.Generate(TrainSettings.BuiltInTrainCount, BuiltInTrainSeed).Select(r => new LabeledText(r.Text, r.Label)).ToList();
            test = SyntheticReviews.Generate(TrainSettings.BuiltInTestCount, BuiltInTestSeed).Select(r => new LabeledText(r.Text, r.Label)).ToList();
            AnsiConsole.MarkupLine($"[bold]Data:[/] built-in synthetic film reviews, {train.Count:N0} for training and {test.Count:N0} for testing; every word is as likely in either class, word order decides the label.");
        }
        else
        {
            var data = LabeledTextFile.Read(s.DataPath, s.TextColumn, s.LabelColumn);
            AnsiConsole.MarkupLine($"[bold]Data:[/] {Describe(data)}");
            if (s.TestPath is not null)
            {
                var testFile = LabeledTextFile.Read(s.TestPath, s.TextColumn, s.LabelColumn);
                AnsiConsole.MarkupLine($"[bold]Test:[/] {Describe(testFile)}");
                // The training rows in a seeded random order, exactly as `Rnn.Bench sentiment` orders them: the order
                // decides which rows the trainer holds out for validation and how the first batches fall, so with the
                // file's order the same settings give another (on SST-2, up to 2 points different) run than the bench's.
                var shuffled = data.Rows.ToArray();
                new Random(s.Seed).Shuffle(shuffled);
                train = shuffled;
                test = testFile.Rows;
            }
            else
            {
                (train, test) = HoldOut(data, s.Seed);
                AnsiConsole.MarkupLine($"[grey]Held out {test.Count:N0} rows ({TrainSettings.HoldOutFraction * 100:0}%, both classes in proportion) for testing; {train.Count:N0} remain for training.[/]");
            }
        }
        var seen = train.Select(r => r.Text).ToHashSet(StringComparer.Ordinal);
        int overlap = test.Count(r => seen.Contains(r.Text));
        if (overlap > 0)
            AnsiConsole.MarkupLine($"[grey]{overlap:N0} of the {test.Count:N0} test texts also occur in the training data.[/]");
        return (train, test);
    }

    // A stratified split: the same share of each class goes to the test part.
    private static (IReadOnlyList<LabeledText>, IReadOnlyList<LabeledText>) HoldOut(LabeledTextFile data, int seed)
    {
        var random = new Random(seed);
        var train = new List<LabeledText>();
        var test = new List<LabeledText>();
        foreach (var group in data.Rows.GroupBy(r => r.Label))
        {
            var rows = group.ToArray();
            if (rows.Length < 2)
                throw new LabeledTextFormatException(data.Source, null,
                    $"only {rows.Length} {(group.Key ? "positive" : "negative")} row: too few to hold out a test part; give a --test file");
            random.Shuffle(rows);
            int n = Math.Clamp((int)Math.Round(rows.Length * TrainSettings.HoldOutFraction), 1, rows.Length - 1);
            test.AddRange(rows.Take(n));
            train.AddRange(rows.Skip(n));
        }
        var trainArray = train.ToArray();
        random.Shuffle(trainArray);
        test.Sort((a, b) => a.LineNumber.CompareTo(b.LineNumber));
        return (trainArray, test);
    }

    private static string Describe(LabeledTextFile f)
    {
        string delimiter = f.Delimiter == '\t' ? "tab-separated" : "comma-separated";
        string columns = f.Header is { } h
            ? $"text column '{h[f.TextColumn].Trim()}', label column '{h[f.LabelColumn].Trim()}'"
            : $"no header, text in column {f.TextColumn}, label in column {f.LabelColumn}";
        string skipped = f.SkippedEmptyRows > 0 ? $", {f.SkippedEmptyRows:N0} rows with empty text skipped" : "";
        return Markup.Escape($"{f.Source} ({delimiter}, {columns}): {f.Rows.Count:N0} rows, {f.PositiveCount:N0} positive and {f.NegativeCount:N0} negative{skipped}");
    }

    private static void PrintExamples(MLContext ml, ITransformer rnn, ITransformer baseline, string modelName)
    {
        var input = ml.Data.LoadFromEnumerable(Examples.Select(t => new ReviewInput { Text = t }));
        var a = ml.Data.CreateEnumerable<ReviewPrediction>(rnn.Transform(input), reuseRowObject: false).ToList();
        var b = ml.Data.CreateEnumerable<ReviewPrediction>(baseline.Transform(input), reuseRowObject: false).ToList();
        var table = new Table().Border(TableBorder.Rounded).Title("Example sentences (P = probability of positive)")
            .AddColumn("Text")
            .AddColumn(new TableColumn($"RnnMl {modelName}"))
            .AddColumn(new TableColumn("Bag of words"));
        for (int i = 0; i < Examples.Length; i++)
            table.AddRow(Markup.Escape(Examples[i]), Prediction(a[i]), Prediction(b[i]));
        AnsiConsole.Write(table);
    }

    internal static string Prediction(ReviewPrediction p) =>
        $"P {p.Probability:F3}  {(p.PredictedLabel ? "[green]positive[/]" : "[red]negative[/]")}";

    private static string StopText(TrainingResult r) => r.StopReason switch
    {
        TrainingStopReason.Completed => $"ran {Plural(r.History.Count, "epoch")}",
        TrainingStopReason.EarlyStopped => $"stopped early after {Plural(r.History.Count, "epoch")}",
        TrainingStopReason.Cancelled => $"cancelled after {Plural(r.History.Count, "complete epoch")}",
        TrainingStopReason.TimeLimitReached => $"reached its time limit after {Plural(r.History.Count, "complete epoch")}",
        _ => $"stopped after {Plural(r.History.Count, "epoch")}: {Markup.Escape(r.Message ?? r.StopReason.ToString())}",
    };

    private static string Plural(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    private static string CellName(RecurrentCellKind cell) => cell switch
    {
        RecurrentCellKind.Lstm => "LSTM",
        RecurrentCellKind.Gru => "GRU",
        _ => "RNN",
    };

    private static string Percent(double value) => double.IsNaN(value) ? "–" : $"{value * 100:F2}%";

    // Checks an output path before training, so a typo does not cost a training run.
    private static string OutputPath(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new CommandLineException($"{option}: '{path}' is a folder; give a file name");
        string? folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
            throw new CommandLineException($"{option}: the folder '{folder}' does not exist");
        return full;
    }
}
