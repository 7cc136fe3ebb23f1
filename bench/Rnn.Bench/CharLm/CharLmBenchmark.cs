using System.Diagnostics;
using System.Globalization;
using RnnMl.Text;
using RnnMl.Torch.Decoding;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Bench.CharLm;

/// <summary>
/// A character language model on the English side of Multi30k (train → val), trained with truncated BPTT for a wall-clock
/// budget: validation bits per character, training characters/s and one-stream generation characters/s.
/// </summary>
internal static class CharLmBenchmark
{
    public const string Name = "charlm";
    public const string Summary = "Multi30k English: character LSTM with truncated BPTT; validation bits/char, training and generation chars/s";
    public const string Usage = """
        usage: Rnn.Bench charlm [--quick] [--minutes M] [--epochs N] [--hidden H] [--layers L] [--cell C] [--streams N] [--steps K] [--lr X] [--decay X] [--threads T]

          --quick        4,000 training sentences, a 1.5-minute budget, hidden 128 (under 3 minutes in all; bits/char will be higher)
          --minutes M    training budget in minutes (default 13); training stops at the first of the budget and --epochs
          --epochs N     at most N epochs (default 20)
          --hidden H     LSTM hidden size (default 256; 128 with --quick)
          --layers L     stacked layers (default 1)
          --cell C       lstm (default), gru or rnn
          --streams N    parallel streams per batch (default 32; 16 with --quick)
          --steps K      truncated BPTT length (default 100; 64 with --quick)
          --lr X         Adam learning rate (default 0.003)
          --decay X      learning-rate factor after every epoch, in (0, 1] (default 0.7; 1 with --quick)
          --threads T    torch threads (default 1, which is much faster than one per core on a busy machine; 0 for libtorch's default)

        Data: ../shared/datasets/multi30k/{train,val}.en beside the repository root (Elliott et al., 2016), one sentence a line.
        Case is kept; each line is preceded by a line-break token, which counts as a character.
        Last line: charlm: val_bpc=… train_chars_per_s=… gen_chars_per_s=…
        """;

    private const int Seed = 1;

    public static int Run(string[] args)
    {
        var options = new OptionReader(args);
        if (options.Flag("--help")) { Console.WriteLine(Usage); return 0; }
        bool quick = options.Flag("--quick");
        double minutes = Double(options, "--minutes", quick ? 1.5 : 13);
        int epochs = options.Int("--epochs", 20, min: 1);
        int hidden = options.Int("--hidden", quick ? 128 : 256, min: 1);
        int layers = options.Int("--layers", 1, min: 1);
        int streams = options.Int("--streams", quick ? 16 : 32, min: 1);
        int steps = options.Int("--steps", quick ? 64 : 100, min: 1);
        double lr = Double(options, "--lr", 3e-3);
        double decay = Double(options, "--decay", quick ? 1.0 : 0.7);
        if (decay > 1) throw new UsageException($"--decay must be in (0, 1], got {decay}");
        int threads = options.Int("--threads", 1, min: 0);
        var cellName = options.Value("--cell") ?? "lstm";
        if (!Enum.TryParse<RecurrentCellKind>(cellName, ignoreCase: true, out var cell))
            throw new UsageException($"--cell must be lstm, gru or rnn, got '{cellName}'");
        options.EnsureEmpty();
        if (threads > 0) set_num_threads(threads);

        var folder = SharedData.Find(Path.Combine("datasets", "multi30k"), out var searched);
        if (folder is null)
        {
            Console.WriteLine($"charlm: skipped, Multi30k not found (looked for {searched})");
            return 0;
        }
        var trainLines = File.ReadAllLines(Path.Combine(folder, "train.en"));
        var validLines = File.ReadAllLines(Path.Combine(folder, "val.en"));
        if (quick) trainLines = trainLines[..Math.Min(4_000, trainLines.Length)];

        var stream = TextStream.Build(trainLines, Tokenizer.Create(TokenizerKind.Character, lowerCase: false));
        var trainIds = stream.EncodeStream(trainLines);
        var validIds = stream.EncodeStream(validLines);
        int unknown = validIds.Count(id => id == Vocabulary.UnknownId);
        Console.WriteLine($"Multi30k English: {trainLines.Length} training lines ({trainIds.Length} characters), {validLines.Length} validation lines "
            + $"({validIds.Length} characters, {unknown} unseen in training); vocabulary {stream.Count}; torch threads {get_num_threads()}");
        Console.WriteLine($"model: {cell} {layers}×{hidden}, embedding 64; {streams} streams × {steps} steps; Adam {lr}; budget {minutes} min, at most {epochs} epochs{(quick ? " (quick)" : "")}");

        manual_seed(Seed);
        using var model = LanguageModel.Create(new LanguageModelOptions
        {
            VocabularySize = stream.Count,
            EmbeddingSize = 64,
            HiddenSize = hidden,
            NumLayers = layers,
            Cell = cell,
            Dropout = layers > 1 ? 0.1 : 0.0,
        });
        using var task = LanguageModelTrainingTask.Create(model, trainIds, validIds, streams, steps, validationStreams: 16);
        var generator = TextGenerator.Create(model, stream);
        var trainer = Trainer.Create(new TrainerOptions
        {
            Epochs = epochs,
            LearningRate = lr,
            Schedule = LearningRateSchedule.StepDecay,
            StepDecayEpochs = 1,
            StepDecayGamma = decay,
            GradientClipNorm = 5,
            EarlyStoppingPatience = null,
            // A budget that ends inside an epoch keeps that epoch's training.
            RestoreBestWeights = false,
            Seed = Seed,
        });

        var progress = new TrainedItems(e =>
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  epoch {e.Epoch + 1}: train {e.TrainMetrics[LanguageModelTrainingTask.BitsMetric]:F3} bits/char, validation {e.ValidationMetrics[LanguageModelTrainingTask.BitsMetric]:F3} bits/char, {e.TrainCount / e.Duration.TotalSeconds:F0} chars/s, {e.Duration.TotalSeconds:F0} s"));
            Console.WriteLine($"    τ=0.7: {OneLine(generator.Generate("A man", new SamplingOptions { Temperature = 0.7, Seed = e.Epoch, MaxLength = 100, StopStrings = new[] { "\n" } }))}");
        });
        using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        var clock = Stopwatch.StartNew();
        var result = trainer.Fit(task, progress, budget.Token);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        long trained = progress.Count;
        Console.WriteLine($"training: {result.History.Count} full epoch(s), stop: {result.StopReason}{(result.Message is null ? "" : $" ({result.Message})")}, {trainSeconds:F0} s");

        var score = LanguageModelMetrics.Evaluate(model, validIds, streams: 16, steps: steps);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"validation: {score.BitsPerToken:F3} bits/char, perplexity {score.Perplexity:F2} over {score.Tokens} characters"));

        foreach (var t in new[] { 0.0, 0.5, 1.0 })
            Console.WriteLine($"  τ={t}: {OneLine(generator.Generate("Two dogs", new SamplingOptions { Temperature = t, Seed = 7, MaxLength = 120, StopStrings = new[] { "\n" } }))}");

        double genPerSecond = GenerationSpeed(generator);
        double trainPerSecond = trained / trainSeconds;
        Console.WriteLine($"training {trainPerSecond:F0} chars/s (whole Fit, validation passes included); generation {genPerSecond:F0} chars/s (one stream, τ=0.8, median of 3 × 1,000)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"charlm: val_bpc={score.BitsPerToken:F3} train_chars_per_s={trainPerSecond:F0} gen_chars_per_s={genPerSecond:F0}"));
        return 0;
    }

    /// <summary>Characters per second of one sampled stream: the median of three runs of 1,000 characters, after a short warm-up.</summary>
    private static double GenerationSpeed(TextGenerator generator)
    {
        var options = new SamplingOptions { Temperature = 0.8, Seed = 3, MaxLength = 1_000 };
        generator.Generate("A", options with { MaxLength = 50 });
        var rates = new List<double>();
        for (int run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            var text = generator.Generate("A", options with { Seed = 3 + run });
            rates.Add(text.Length / clock.Elapsed.TotalSeconds);
        }
        return Timing.Median(rates);
    }

    private static string OneLine(string text) => text.ReplaceLineEndings("⏎");

    private static double Double(OptionReader options, string name, double fallback)
    {
        var text = options.Value(name);
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0))
            throw new UsageException($"{name} needs a positive number, got '{text}'");
        return value;
    }
}
