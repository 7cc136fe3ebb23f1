using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;
using RnnMl.Torch;
using RnnMl.Torch.Models;
using RnnMl.Text;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Bench.Sentiment;

/// <summary>
/// SST-2 (train → dev) and the UCI cross-domain splits: the library's default classifier (through ML.NET, from scratch)
/// against a hand-written TorchSharp BiLSTM loop (<see cref="RawBiLstmLoop"/>) and ML.NET's bag of words, in one run;
/// training throughput against the raw loop measured in the same run; inference speed. <c>--sweep</c> runs the small
/// sweep behind the defaults instead (<see cref="SentimentSweep"/>).
/// </summary>
internal static class SentimentBenchmark
{
    public const string Name = "sentiment";
    public const string Summary = "SST-2 + UCI: our default classifier vs a raw TorchSharp BiLSTM loop vs ML.NET bag-of-words; --sweep for the defaults' sweep";
    public const string Usage = """
        usage: Rnn.Bench sentiment [--quick] [--epochs N] [--train-rows N] [--no-uci] [--no-raw] [--seeds K] [--ensemble K] [--transfer | --transfer-only [--lm-lines N]] [--sweep [NAMES]]

          --quick         train on 12,000 training phrases for 1 epoch, raw loop 1 epoch (accuracy will be lower)
          --epochs N      epochs for our trainer instead of the library default (early stopping may end sooner)
          --train-rows N  use only the first N training phrases after a fixed shuffle (default all 67,349)
          --backend B     auto (default), fused or composed: the recurrent backend of our model
          --dropout X     head dropout instead of the default, for experiments
          --pooling P     pooling instead of the default (meanmax), for experiments
          --no-uci        skip the UCI cross-domain part
          --no-raw        skip the hand-written loop (its fields print NaN), for short comparisons
          --transfer      also ULMFiT: a word LM (LSTM 128, one epoch) on unlabelled SST-2 train phrases + UCI + Multi30k
                          English, then our classifier started from it (forward LSTM 128, at least 3 epochs) → transfer_acc
          --transfer-only only the ULMFiT run (after the warm-up): line 'sst2_transfer: transfer_acc=… lm_s=… …'
          --lm-lines N    lines of that unlabelled text the LM reads (default 40,000, shuffled)
          --char-rows N   character-level speed run on the first N training phrases, 1 epoch each in 3 alternating
                          rounds, medians (default 8,000; --quick 3,000; 0 skips it):
                          line 'sst2_char: … tokens_per_s=… raw_tokens_per_s=… vs_raw=… rounds=3'
          --char-only     only the character-level speed run (after the warm-up), its line last
          --overhead N    only the trainer-overhead run: one epoch on N phrases each for the raw loop, our Trainer,
                          our Trainer without clipping, interleaved (line 'overhead round …')
          --trace-fit     print the classifier's log messages with the seconds since Fit started (where Fit's time goes)
          --raw-first     train the hand-written loop before ours (default after), to measure the order's effect on speed
          --seed N        the training seed of every model (default 1); the rows and splits stay those of seed 1
          --seeds K       train ours and the raw loop (SST-2 and UCI; with --sweep: each configuration) with K seeds,
                          N … N+K−1, printing a 'sst2 seed S: …' line per seed; the last line's accuracies are the means
                          (speed, inference and the char run come from the first seed)
          --threads N     torch threads (default: torch's own choice)
          --ensemble K    probe: average the probabilities of K default classifiers (consecutive seeds; --epochs
                          sets each member's epochs) on SST-2 dev
          --sweep NAMES   run the defaults' sweep instead: comma-separated configuration names, or 'all'
                          (with --no-uci: SST-2 only; with --uci-only: UCI only, the SST-2 fields print NaN)
          --recipe NAME   our classifier with one sweep configuration's recipe instead of the defaults, so that its
                          whole-Fit speed and accuracy sit beside the raw loop's in the same run

        Data: ../shared/datasets/sst2/{train,dev}.tsv (GLUE SST-2; Socher et al., 2013) and
        ../shared/datasets/uci_sentiment (Kotzias et al., KDD 2015) beside the repository root.
        Last line: sst2: rnn_acc=… baseline_acc=… train_s=… tokens_per_s=… vs_raw=… infer_sent_per_s=… p50_ms=…
                   raw_acc=… uci_acc=… raw_uci_acc=… baseline_uci_acc=… raw_train_s=… transfer_acc=… lm_s=… transfer_train_s=… seeds=…
        (with --seeds K: rnn_acc, raw_acc, uci_acc and raw_uci_acc are means over the K seeds, the rest the first seed's)
        (one line; the uci fields are the mean accuracy over the three train-on-two, test-on-the-third splits)
        The line before it is the character-level speed run's sst2_char line (unless --char-rows 0).
        """;

    // The fixed shuffle of the SST-2 rows and the UCI splits; --seed changes only the training seed (initialisation, batch order, dropout).
    private const int DataSeed = 1;

    public static int Run(string[] args)
    {
        var options = new OptionReader(args);
        if (options.Flag("--help")) { Console.WriteLine(Usage); return 0; }
        bool quick = options.Flag("--quick");
        bool noUci = options.Flag("--no-uci");
        bool uciOnly = options.Flag("--uci-only");
        bool noRaw = options.Flag("--no-raw");
        bool transferOnly = options.Flag("--transfer-only");
        bool transfer = options.Flag("--transfer") | transferOnly;
        int lmLines = options.Int("--lm-lines", 40_000, min: 100);
        var sweepText = options.Value("--sweep");
        var recipeText = options.Value("--recipe");
        var recipe = recipeText is null ? null : Array.Find(SentimentSweep.Configs, c => c.Name == recipeText)
            ?? throw new UsageException($"--recipe: unknown configuration '{recipeText}'; known: {string.Join(", ", SentimentSweep.Configs.Select(c => c.Name))}");
        var epochsText = options.Value("--epochs");
        int? epochs = epochsText is null ? (quick ? 1 : null)
            : int.TryParse(epochsText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ep) && ep >= 1 ? ep
            : throw new UsageException($"--epochs needs an integer of at least 1, got '{epochsText}'");
        int trainRows = options.Int("--train-rows", quick ? 12_000 : int.MaxValue, min: 100);
        int charRows = options.Int("--char-rows", quick ? 3_000 : 8_000, min: 0);
        bool charOnly = options.Flag("--char-only");
        bool traceFit = options.Flag("--trace-fit");
        int overheadRows = options.Int("--overhead", 0, min: 0);
        int Seed = options.Int("--seed", 1, min: 0);
        int seedCount = options.Int("--seeds", 1, min: 1);
        int ensemble = options.Int("--ensemble", 0, min: 0);
        var seeds = Enumerable.Range(Seed, seedCount).ToList();
        bool rawFirst = options.Flag("--raw-first");
        var dropoutText = options.Value("--dropout");
        double? dropout = dropoutText is null ? null : double.Parse(dropoutText, CultureInfo.InvariantCulture);
        var poolingText = options.Value("--pooling");
        PoolingKind? pooling = poolingText is null ? null
            : Enum.TryParse<PoolingKind>(poolingText, ignoreCase: true, out var p) ? p
            : throw new UsageException($"--pooling must be last, mean, max, meanmax or attention, got '{poolingText}'");
        int threads = options.Int("--threads", 0, min: 0);
        if (threads > 0) set_num_threads(threads);
        var backendName = options.Value("--backend") ?? "auto";
        if (!Enum.TryParse<RnnMl.Torch.Layers.RecurrentBackend>(backendName, ignoreCase: true, out var backend))
            throw new UsageException($"--backend must be auto, fused or composed, got '{backendName}'");
        options.EnsureEmpty();

        var folder = SharedData.Find(Path.Combine("datasets", "sst2"), out var searched);
        if (folder is null)
        {
            Console.WriteLine($"sentiment: skipped, SST-2 not found (looked for {searched})");
            return 0;
        }
        var train = Sst2.Read(Path.Combine(folder, "train.tsv"));
        var allTrain = train.ToList();
        var dev = Sst2.Read(Path.Combine(folder, "dev.tsv"));
        new Random(DataSeed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(train));
        if (train.Count > trainRows) train = train.GetRange(0, trainRows);
        string uciSearched = "";
        var uciFolder = noUci ? null : SharedData.Find(Path.Combine("datasets", "uci_sentiment"), out uciSearched);
        if (!noUci && uciFolder is null)
            Console.WriteLine($"UCI: skipped, not found (looked for {uciSearched})");
        var uci = uciFolder is null ? null : UciSentiment.Splits(uciFolder, DataSeed);
        Console.WriteLine($"SST-2: {train.Count} training phrases, {dev.Count} dev sentences{(uci is null ? "" : "; UCI: 3 cross-domain splits of 2,000 → 1,000")}{(quick ? " (quick)" : "")}; torch threads {get_num_threads()}");

        // Our first Fit tunes glibc's allocator for the process (NativeAllocator): tune it first, so that every raw loop
        // runs in the same allocator state wherever it comes (a raw loop before our first Fit ran 2–4× slower).
        NativeAllocator.Tune();
        // Warm libtorch up (allocator, kernels, JIT) before anything is timed, so that neither our trainer nor the raw
        // loop pays for being first.
        RawBiLstmLoop.Run(train.Take(64 * 30).ToList(), dev.Take(64).ToList(), Seed, epochs: 1);

        if (overheadRows > 0)
        {
            OverheadRun.Run(train.Take(overheadRows).ToList(), Seed);
            return 0;
        }

        if (charOnly)
        {
            Console.WriteLine(CharSpeedRun.Run(train.Take(Math.Max(100, charRows)).ToList(), Seed, backend));
            return 0;
        }

        if (ensemble > 0) return EnsembleProbe.Run(train, dev, seeds, ensemble, epochs);
        if (sweepText is not null)
        {
            if (uci is null && !noUci) throw new UsageException("--sweep needs the UCI data as well (or --no-uci for SST-2 only)");
            var names = sweepText == "all" ? null : sweepText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (uciOnly && uci is null) throw new UsageException("--uci-only needs the UCI data");
            return SentimentSweep.Run(train, dev, uci, names, seeds, sst2: !uciOnly);
        }

        var ml = new MLContext(seed: Seed);
        if (transferOnly)
        {
            var t = TransferRun.Run(ml, allTrain, train, dev, uciFolder, lmLines, Math.Max(3, epochs ?? new RecurrentTextClassifierOptions().Epochs), Seed);
            Console.WriteLine($"sst2_transfer: transfer_acc={t.Accuracy:F4} lm_s={t.LmSeconds:F1} transfer_train_s={t.ClassifierSeconds:F1} lm_lines={t.LmLines}");
            return 0;
        }

        // Baseline: ML.NET's bag of words.
        var (baselineAccuracy, baselineSeconds) = LibraryRun.BagOfWords(ml, train, dev);
        Console.WriteLine($"bag of words (FeaturizeText + SdcaLogisticRegression): accuracy {baselineAccuracy:P2}, trained in {baselineSeconds:F1} s");

        // Ours: the library's defaults, through ML.NET.
        var rss = new List<(int Epoch, long Bytes)>();
        var defaults = new RecurrentTextClassifierOptions();
        RecurrentTextClassifierOptions Ours(IProgress<TrainingProgress>? progress, int seed)
        {
            var o = new RecurrentTextClassifierOptions
            {
                Seed = seed,
                Backend = backend,
                Dropout = dropout ?? defaults.Dropout,
                Pooling = pooling ?? defaults.Pooling,
                Progress = progress,
            };
            recipe?.Apply(o);
            // Setting Epochs would switch MinimumSteps off: set it only when asked to.
            if (epochs is { } e) o.Epochs = e;
            return o;
        }
        var trainerOptions = Ours(new InlineProgress(p =>
        {
            if (p.CompletedEpoch is { } e)
            {
                rss.Add((e.Epoch, Environment.WorkingSet));
                Console.WriteLine($"  epoch {e.Epoch + 1}: train loss {e.TrainLoss:F4}, {(e.ValidationMetrics.TryGetValue("accuracy", out var va) ? $"validation accuracy {va:P2}{(e.IsBest ? " (best)" : "")}" : "no validation (every row trains)")}, lr {e.LearningRate:G3}, {e.Duration.TotalSeconds:F1} s, RSS {Environment.WorkingSet / 1e6:F0} MB");
            }
        }), Seed);
        // --raw-first: the hand-written loop trains before ours, to see what running second is worth to either side.
        var rawEarly = rawFirst && !noRaw ? RawBiLstmLoop.Run(train, dev, Seed, epochs: quick ? 1 : RawBiLstmLoop.Epochs) : null;
        // --trace-fit: where the whole Fit spends its time, from the classifier's own log messages (read, vocabulary,
        // each epoch's end), as seconds since Fit started.
        var fitClock = Stopwatch.StartNew();
        EventHandler<LoggingEventArgs>? trace = traceFit ? (_, e) =>
        {
            if (e.Kind >= Microsoft.ML.Runtime.ChannelMessageKind.Info)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [fit {fitClock.Elapsed.TotalSeconds,7:F2} s] {e.Message}"));
        } : null;
        if (trace is not null) ml.Log += trace;
        fitClock.Restart();
        var (accuracy, trainSeconds, trained) = LibraryRun.Recurrent(ml, trainerOptions, train, dev);
        if (trace is not null) ml.Log -= trace;
        using var model = trained;
        // Read now: the PredictionEngine below disposes the transformer it was made from.
        var trainingResult = model.TrainingResult!;
        var history = trainingResult.History;
        var devView = ml.Data.LoadFromEnumerable(dev);

        // Training tokens actually processed: each training row's (cut) length, once per epoch run.
        var tokenizer = Tokenizer.Create(trainerOptions.Tokenizer, trainerOptions.LowerCase, trainerOptions.Normalization);
        long tokensPerEpoch = EpochTokens(model, tokenizer, train, trainerOptions);
        // Every epoch of every ensemble member (EnsembleSize) counts: the members train in turn within trainSeconds.
        int epochsRun = model.MemberTrainingResults!.Sum(r => r.History.Count);
        double ourTokensPerSecond = tokensPerEpoch * epochsRun / trainSeconds;

        // The hand-written loop on the same rows.
        var raw = noRaw ? new RawBiLstmLoop.Result(double.NaN, double.NaN, double.NaN)
            : rawEarly ?? RawBiLstmLoop.Run(train, dev, Seed, epochs: quick ? 1 : RawBiLstmLoop.Epochs);
        Console.WriteLine($"raw TorchSharp BiLSTM loop: accuracy {raw.Accuracy:P2}, trained in {raw.TrainSeconds:F1} s");

        // Inference: batch Transform over dev, and single-sentence PredictionEngine latency.
        double sentencesPerSecond = InferenceSpeed.BatchThroughput(model, devView, dev.Count);
        double p50 = InferenceSpeed.PredictionLatency(ml, model, dev);

        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        double growth = rss.Count >= 3 ? 100.0 * (rss[^1].Bytes - rss[1].Bytes) / rss[1].Bytes : double.NaN;

        // Character-level training speed against a plain padded TorchSharp loop (issue 18), same process.
        string? charLine = charRows == 0 ? null : CharSpeedRun.Run(train.Take(charRows).ToList(), Seed, backend);
        if (charLine is not null) Console.WriteLine(charLine);

        // UCI cross-domain: the same three contenders on each split.
        double uciOurs = double.NaN, uciRaw = double.NaN, uciBaseline = double.NaN;
        if (uci is not null)
        {
            var ours = LibraryRun.UciRecurrent(ml, () => Ours(null, Seed), uci);
            var rawScores = noRaw ? uci.Select(_ => double.NaN).ToList() : uci.Select(s => RawBiLstmLoop.Run(s.Train, s.Test, Seed, epochs: quick ? 1 : RawBiLstmLoop.Epochs).Accuracy).ToList();
            var baselineScores = uci.Select(s => LibraryRun.BagOfWords(ml, s.Train, s.Test).Accuracy).ToList();
            (uciOurs, uciRaw, uciBaseline) = (ours.Accuracy, rawScores.Average(), baselineScores.Average());
            Console.WriteLine();
            Console.WriteLine($"{"UCI test domain",-16} {"ours",8} {"raw loop",8} {"bag of words",12}");
            for (int i = 0; i < uci.Count; i++)
                Console.WriteLine($"{uci[i].TestDomain,-16} {ours.PerDomain[i],8:P2} {rawScores[i],8:P2} {baselineScores[i],12:P2}");
            Console.WriteLine($"{"mean",-16} {uciOurs,8:P2} {uciRaw,8:P2} {uciBaseline,12:P2}   (ours trained in {ours.Seconds:F0} s in all)");
        }

        // --seeds K: ours and the raw loop again with each further seed (SST-2 and UCI); the last line reports the means.
        var perSeed = new List<SeedScores> { new(Seed, accuracy, raw.Accuracy, uciOurs, uciRaw, trainSeconds, raw.TrainSeconds) };
        foreach (int s in seeds.Skip(1))
        {
            var mls = new MLContext(seed: s);
            var (acc, seconds, m) = LibraryRun.Recurrent(mls, Ours(null, s), train, dev);
            m.Dispose();
            var r = noRaw ? new RawBiLstmLoop.Result(double.NaN, double.NaN, double.NaN) : RawBiLstmLoop.Run(train, dev, s, epochs: quick ? 1 : RawBiLstmLoop.Epochs);
            double u = uci is null ? double.NaN : LibraryRun.UciRecurrent(mls, () => Ours(null, s), uci).Accuracy;
            double ru = uci is null || noRaw ? double.NaN : uci.Select(x => RawBiLstmLoop.Run(x.Train, x.Test, s, epochs: quick ? 1 : RawBiLstmLoop.Epochs).Accuracy).Average();
            perSeed.Add(new(s, acc, r.Accuracy, u, ru, seconds, r.TrainSeconds));
            Console.WriteLine(perSeed[^1].Line);
        }
        if (seeds.Count > 1)
        {
            Console.WriteLine();
            foreach (var ps in perSeed) Console.WriteLine(ps.Line);
            (accuracy, uciOurs) = (perSeed.Average(x => x.Rnn), perSeed.Average(x => x.Uci));
            raw = raw with { Accuracy = perSeed.Average(x => x.Raw) };
            uciRaw = perSeed.Average(x => x.RawUci);
        }

        var ulmfit = (Accuracy: double.NaN, LmSeconds: double.NaN, ClassifierSeconds: double.NaN, LmLines: 0);
        if (transfer)
        {
            ulmfit = TransferRun.Run(ml, allTrain, train, dev, uciFolder, lmLines, Math.Max(3, epochs ?? defaults.Epochs), Seed);
            Console.WriteLine($"ULMFiT transfer: accuracy {ulmfit.Accuracy:P2}; LM {ulmfit.LmSeconds:F0} s on {ulmfit.LmLines} lines, classifier {ulmfit.ClassifierSeconds:F0} s");
        }

        Console.WriteLine();
        Console.WriteLine($"{"SST-2 dev",-34} {"accuracy",8} {"train s",8}");
        bool changed = dropout is not null || pooling is not null || backend != RnnMl.Torch.Layers.RecurrentBackend.Auto || epochsText is not null || recipe is not null;
        string label = recipe is not null ? $"RnnMl, recipe {recipe.Name}" : changed ? "RnnMl, options changed" : "RnnMl, default options";
        if (seeds.Count > 1) label += $", mean of {seeds.Count} seeds";
        Console.WriteLine($"{label,-34} {accuracy,8:P2} {trainSeconds,8:F1}");
        Console.WriteLine($"{"raw TorchSharp BiLSTM loop",-34} {raw.Accuracy,8:P2} {raw.TrainSeconds,8:F1}");
        Console.WriteLine($"{"bag of words (ML.NET SDCA)",-34} {baselineAccuracy,8:P2} {baselineSeconds,8:F1}");
        Console.WriteLine();
        Console.WriteLine($"epochs run {history.Count} (best {trainingResult.BestEpoch + 1}), stop: {trainingResult.StopReason}; train losses {string.Join(" ", history.Select(e => e.TrainLoss.ToString("F3", CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"training tokens/s: ours {ourTokensPerSecond:F0} (whole Fit: reading, vocabulary, validation included), raw loop {raw.TokensPerSecond:F0}");
        Console.WriteLine($"inference: batch Transform {sentencesPerSecond:F0} sentences/s, PredictionEngine p50 {p50:F3} ms");
        Console.WriteLine($"memory: peak RSS {peak / 1e6:F0} MB; RSS growth from epoch 2 to the last epoch {(double.IsNaN(growth) ? "n/a (fewer than 3 epochs)" : growth.ToString("F1", CultureInfo.InvariantCulture) + " %")}");
        if (charLine is not null) Console.WriteLine(charLine);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sst2: rnn_acc={accuracy:F4} baseline_acc={baselineAccuracy:F4} train_s={trainSeconds:F1} tokens_per_s={ourTokensPerSecond:F0} vs_raw={ourTokensPerSecond / raw.TokensPerSecond:F3} infer_sent_per_s={sentencesPerSecond:F0} p50_ms={p50:F3} raw_acc={raw.Accuracy:F4} uci_acc={uciOurs:F4} raw_uci_acc={uciRaw:F4} baseline_uci_acc={uciBaseline:F4} raw_train_s={raw.TrainSeconds:F1} transfer_acc={ulmfit.Accuracy:F4} lm_s={ulmfit.LmSeconds:F1} transfer_train_s={ulmfit.ClassifierSeconds:F1} seeds={seeds.Count}"));
        return 0;
    }

    /// <summary>One seed's accuracies (ours and the raw loop, SST-2 dev and the UCI mean) and training seconds.</summary>
    private sealed record SeedScores(int Seed, double Rnn, double Raw, double Uci, double RawUci, double TrainSeconds, double RawTrainSeconds)
    {
        public string Line => string.Create(CultureInfo.InvariantCulture,
            $"sst2 seed {Seed}: rnn_acc={Rnn:F4} raw_acc={Raw:F4} uci_acc={Uci:F4} raw_uci_acc={RawUci:F4} train_s={TrainSeconds:F1} raw_train_s={RawTrainSeconds:F1}");
    }

    /// <summary>Encodes the training rows the way the trainer does and counts one epoch's tokens (the trainer's training share).</summary>
    private static long EpochTokens(RecurrentTextClassifierTransformer model, Tokenizer tokenizer, List<Sst2.Row> train, RecurrentTextClassifierOptions options)
    {
        var vocabulary = model.Vocabulary!;
        int max = options.MaxSequenceLength ?? int.MaxValue;
        // The share the trainer trained on (the hold-out is a fraction of the rows, capped by MaxValidationRows).
        double trainShare = (double)model.TrainingResult!.History[0].TrainCount / train.Count;
        return (long)(train.Sum(r => (long)Math.Max(1, Math.Min(max, vocabulary.Encode(tokenizer.Tokenize(r.Text)).Length))) * trainShare);
    }

    internal sealed class InlineProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
