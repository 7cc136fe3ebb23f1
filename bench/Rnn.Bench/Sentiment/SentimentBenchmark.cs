using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;
using RnnMl.Torch.Models;
using RnnMl.Text;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Bench.Sentiment;

/// <summary>
/// SST-2 (train → dev): our default BiLSTM classifier through ML.NET against ML.NET's bag-of-words baseline, with
/// training throughput compared to a minimal hand-written TorchSharp loop on the same model and batches, measured in
/// the same run.
/// </summary>
internal static class SentimentBenchmark
{
    public const string Name = "sentiment";
    public const string Summary = "SST-2: our BiLSTM trainer vs ML.NET bag-of-words; trainer overhead vs a raw TorchSharp loop; inference speed";
    public const string Usage = """
        usage: Rnn.Bench sentiment [--quick] [--epochs N] [--train-rows N]

          --quick         train on 12,000 training phrases for 1 epoch (under 3 minutes; accuracy will be lower)
          --epochs N      epochs for our trainer (default 4; early stopping may end sooner)
          --train-rows N  use only the first N training phrases after a fixed shuffle (default all 67,349)
          --backend B     auto (default), fused or composed: the recurrent backend of our model and of the raw loop
          --dropout X     dropout instead of the default (0.3), for experiments
          --pooling P     pooling instead of the default (meanmax), for experiments

        Data: ../shared/datasets/sst2/{train,dev}.tsv beside the repository root (GLUE SST-2; Socher et al., 2013).
        Last line: sst2: rnn_acc=… baseline_acc=… train_s=… tokens_per_s=… vs_raw=… infer_sent_per_s=… p50_ms=…
        """;

    private const int Seed = 1;

    public static int Run(string[] args)
    {
        var options = new OptionReader(args);
        if (options.Flag("--help")) { Console.WriteLine(Usage); return 0; }
        bool quick = options.Flag("--quick");
        int epochs = options.Int("--epochs", quick ? 1 : 4, min: 1);
        int trainRows = options.Int("--train-rows", quick ? 12_000 : int.MaxValue, min: 100);
        var dropoutText = options.Value("--dropout");
        double? dropout = dropoutText is null ? null : double.Parse(dropoutText, CultureInfo.InvariantCulture);
        var poolingText = options.Value("--pooling");
        PoolingKind? pooling = poolingText is null ? null
            : Enum.TryParse<PoolingKind>(poolingText, ignoreCase: true, out var p) ? p
            : throw new UsageException($"--pooling must be last, mean, max, meanmax or attention, got '{poolingText}'");
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
        var dev = Sst2.Read(Path.Combine(folder, "dev.tsv"));
        new Random(Seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(train));
        if (train.Count > trainRows) train = train.GetRange(0, trainRows);
        Console.WriteLine($"SST-2: {train.Count} training phrases, {dev.Count} dev sentences; {epochs} epoch(s){(quick ? " (quick)" : "")}; torch threads {get_num_threads()}");

        // Warm libtorch up (allocator, kernels, JIT) before anything is timed, so that neither our trainer nor the raw
        // loop pays for being first.
        WarmUp(train);

        var ml = new MLContext(seed: Seed);
        var trainView = ml.Data.LoadFromEnumerable(train);
        var devView = ml.Data.LoadFromEnumerable(dev);

        // Baseline: ML.NET's bag of words.
        var sw = Stopwatch.StartNew();
        var baseline = ml.Transforms.Text.FeaturizeText("Features", "Text")
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression()).Fit(trainView);
        double baselineSeconds = sw.Elapsed.TotalSeconds;
        var baselineMetrics = ml.BinaryClassification.Evaluate(baseline.Transform(devView));
        Console.WriteLine($"baseline (FeaturizeText + SdcaLogisticRegression): accuracy {baselineMetrics.Accuracy:P2}, trained in {baselineSeconds:F1} s");

        // Ours: the default model, through ML.NET.
        var rss = new List<(int Epoch, long Bytes)>();
        var trainerOptions = new RecurrentTextClassifierOptions
        {
            Epochs = epochs,
            Seed = Seed,
            Backend = backend,
            Dropout = dropout ?? new RecurrentTextClassifierOptions().Dropout,
            Pooling = pooling ?? new RecurrentTextClassifierOptions().Pooling,
            Progress = new InlineProgress(p =>
            {
                if (p.CompletedEpoch is { } e)
                {
                    rss.Add((e.Epoch, Environment.WorkingSet));
                    Console.WriteLine($"  epoch {e.Epoch + 1}: train loss {e.TrainLoss:F4}, validation accuracy {e.ValidationMetrics.GetValueOrDefault("accuracy"):P2}{(e.IsBest ? " (best)" : "")}, {e.Duration.TotalSeconds:F1} s, RSS {Environment.WorkingSet / 1e6:F0} MB");
                }
            }),
        };
        sw.Restart();
        using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(trainerOptions).Fit(trainView);
        double trainSeconds = sw.Elapsed.TotalSeconds;
        var history = model.TrainingResult!.History;
        var scored = model.Transform(devView);
        var metrics = ml.BinaryClassification.Evaluate(scored);

        // Training tokens actually processed: each training row's (cut) length, once per epoch run.
        var tokenizer = Tokenizer.Create(trainerOptions.Tokenizer, trainerOptions.LowerCase, trainerOptions.Normalization);
        long tokensPerEpoch = EpochTokens(model, tokenizer, train, trainerOptions, out var trainIds, out var trainLabels);
        double ourTokensPerSecond = tokensPerEpoch * history.Count / trainSeconds;

        // The same model shape and batches in a minimal hand-written loop.
        double rawTokensPerSecond = RawLoop(model.Model.Options, trainIds, trainLabels, trainerOptions);

        // Inference: batch Transform over dev, and single-sentence PredictionEngine latency.
        double sentencesPerSecond = BatchThroughput(ml, model, devView, dev.Count);
        double p50 = PredictionLatency(ml, model, dev);

        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        double growth = rss.Count >= 3 ? 100.0 * (rss[^1].Bytes - rss[1].Bytes) / rss[1].Bytes : double.NaN;

        Console.WriteLine();
        Console.WriteLine($"{"model",-34} {"dev acc",8} {"F1",7} {"AUC",7} {"train s",8}");
        string label = dropout is null && pooling is null && backend == RnnMl.Torch.Layers.RecurrentBackend.Auto
            ? "BiLSTM (RnnMl, default options)" : "BiLSTM (RnnMl, options changed)";
        Console.WriteLine($"{label,-34} {metrics.Accuracy,8:P2} {metrics.F1Score,7:F4} {metrics.AreaUnderRocCurve,7:F4} {trainSeconds,8:F1}");
        Console.WriteLine($"{"bag of words (ML.NET SDCA)",-34} {baselineMetrics.Accuracy,8:P2} {baselineMetrics.F1Score,7:F4} {baselineMetrics.AreaUnderRocCurve,7:F4} {baselineSeconds,8:F1}");
        Console.WriteLine();
        Console.WriteLine($"epochs run {history.Count} (best {model.TrainingResult.BestEpoch + 1}), stop: {model.TrainingResult.StopReason}");
        Console.WriteLine($"training tokens/s: ours {ourTokensPerSecond:F0} (whole Fit: reading, vocabulary, validation included), raw loop {rawTokensPerSecond:F0}");
        Console.WriteLine($"inference: batch Transform {sentencesPerSecond:F0} sentences/s, PredictionEngine p50 {p50:F3} ms");
        Console.WriteLine($"memory: peak RSS {peak / 1e6:F0} MB; RSS growth from epoch 2 to the last epoch {(double.IsNaN(growth) ? "n/a (fewer than 3 epochs)" : growth.ToString("F1", CultureInfo.InvariantCulture) + " %")}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sst2: rnn_acc={metrics.Accuracy:F4} baseline_acc={baselineMetrics.Accuracy:F4} train_s={trainSeconds:F1} tokens_per_s={ourTokensPerSecond:F0} vs_raw={ourTokensPerSecond / rawTokensPerSecond:F3} infer_sent_per_s={sentencesPerSecond:F0} p50_ms={p50:F3}"));
        return 0;
    }

    /// <summary>Encodes the training rows the way the trainer does and counts one epoch's tokens (the trainer's 90% split).</summary>
    private static long EpochTokens(RecurrentTextClassifierTransformer model, Tokenizer tokenizer, List<Sst2.Row> train,
        RecurrentTextClassifierOptions options, out List<long[]> ids, out List<long> labels)
    {
        var vocabulary = model.Vocabulary!;
        int max = options.MaxSequenceLength ?? int.MaxValue;
        ids = train.Select(r => { var e = vocabulary.Encode(tokenizer.Tokenize(r.Text)); return e.Length > max ? e[..max] : e; }).ToList();
        labels = train.Select(r => r.Label ? 1L : 0L).ToList();
        double trainShare = 1 - options.ValidationFraction;
        return (long)(ids.Sum(s => (long)Math.Max(1, s.Length)) * trainShare);
    }

    /// <summary>One epoch of a plain loop: Adam, cross-entropy, clipping, length-bucketed batches; tokens per second.</summary>
    private static double RawLoop(SequenceClassifierOptions shape, List<long[]> ids, List<long> labels, RecurrentTextClassifierOptions options)
    {
        int n = (int)(ids.Count * (1 - options.ValidationFraction));
        manual_seed(Seed);
        using var model = SequenceClassifier.Create(shape);
        using var optimizer = optim.Adam(model.parameters(), options.LearningRate);
        var batches = LengthBucketing.Batches(ids.Take(n).Select(s => s.Length).ToList(), options.BatchSize, new Random(Seed));
        model.train();
        long tokens = 0;
        var sw = Stopwatch.StartNew();
        foreach (var rows in batches)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var (x, lengths) = TokenBatch.Pad(rows.Select(r => ids[r]).ToList());
            var y = tensor(rows.Select(r => labels[r]).ToArray());
            var loss = nn.functional.cross_entropy(model.forward(x, lengths), y);
            loss.backward();
            nn.utils.clip_grad_norm_(model.parameters(), options.GradientClipNorm ?? double.MaxValue);
            optimizer.step();
            tokens += rows.Sum(r => (long)Math.Max(1, ids[r].Length));
        }
        return tokens / sw.Elapsed.TotalSeconds;
    }

    private static void WarmUp(List<Sst2.Row> train)
    {
        var tokenizer = Tokenizer.Create();
        var sample = train.Take(64 * 30).Select(r => tokenizer.Tokenize(r.Text)).ToList();
        var vocabulary = Vocabulary.Build(sample);
        var ids = sample.Select(t => vocabulary.Encode(t)).ToList();
        var options = new RecurrentTextClassifierOptions();
        RawLoop(new SequenceClassifierOptions { VocabularySize = vocabulary.Count, ClassCount = 2 }, ids, ids.Select(_ => 0L).ToList(), options);
    }

    private static double BatchThroughput(MLContext ml, ITransformer model, IDataView data, int rows)
    {
        var times = new List<double>();
        for (int rep = 0; rep < 6; rep++)
        {
            var sw = Stopwatch.StartNew();
            var scored = model.Transform(data);
            var score = scored.Schema["Score"];
            using var cursor = scored.GetRowCursor(new[] { score });
            var get = cursor.GetGetter<float>(score);
            float v = 0;
            while (cursor.MoveNext()) get(ref v);
            if (rep > 0) times.Add(sw.Elapsed.TotalSeconds);
        }
        return rows / Timing.Median(times);
    }

    private static double PredictionLatency(MLContext ml, ITransformer model, List<Sst2.Row> dev)
    {
        using var engine = ml.Model.CreatePredictionEngine<Sst2.Row, Prediction>(model);
        foreach (var row in dev.Take(50)) engine.Predict(row);
        var times = new List<double>(dev.Count);
        foreach (var row in dev)
        {
            long start = Stopwatch.GetTimestamp();
            engine.Predict(row);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return Timing.Median(times);
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    internal sealed class InlineProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
