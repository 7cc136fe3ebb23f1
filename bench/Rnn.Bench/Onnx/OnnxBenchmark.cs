using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using RnnMl.Bench.Sentiment;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;
using RnnMl.Onnx;
using RnnMl.Torch.Models;
using RnnMl.Torch.Text;
using static TorchSharp.torch;

namespace RnnMl.Bench.Onnx;

/// <summary>
/// The default sentiment model (BiLSTM, mean+max pooling) trained on SST-2, scored on SST-2 dev by TorchSharp and, after
/// ONNX export, by ONNX Runtime, in the same run: single-sentence latency, batch throughput and the largest difference
/// of probabilities.
/// </summary>
internal static class OnnxBenchmark
{
    public const string Name = "onnx";
    public const string Summary = "SST-2 dev: TorchSharp vs the ONNX export on ONNX Runtime (single-sentence p50, batch sentences/s, max |Δp|)";
    public const string Usage = """
        usage: Rnn.Bench onnx [--quick] [--epochs N] [--train-rows N] [--threads N] [--batch-size N]

          --quick         train on 6,000 training phrases for 1 epoch (under 3 minutes; accuracy is lower, the ratios are not affected)
          --epochs N      training epochs (default 1)
          --train-rows N  the first N training phrases after a fixed shuffle (default 20,000)
          --threads N     intra-op threads for both TorchSharp and ONNX Runtime (default 1: the machine is shared)
          --batch-size N  sentences per call in the batch measurement, length-sorted (default 64)

        Both runtimes score the same token ids (tokenisation is not timed): the single-sentence time is one call for one
        dev sentence, from padding to probabilities on the CPU, interleaved sentence by sentence; the batch time is one
        pass over all of dev, interleaved pass by pass.
        Data: ../shared/datasets/sst2/{train,dev}.tsv beside the repository root (GLUE SST-2; Socher et al., 2013).
        Last line: onnx: p50_ratio=<onnx p50 / torch p50> batch_ratio=<onnx throughput / torch throughput> max_abs_diff=<d>
        """;

    private const int Seed = 1;

    public static int Run(string[] args)
    {
        var options = new OptionReader(args);
        if (options.Flag("--help")) { Console.WriteLine(Usage); return 0; }
        bool quick = options.Flag("--quick");
        int epochs = options.Int("--epochs", 1, min: 1);
        int trainRows = options.Int("--train-rows", quick ? 6_000 : 20_000, min: 100);
        int threads = options.Int("--threads", 1, min: 1);
        int batchSize = options.Int("--batch-size", 64, min: 1);
        options.EnsureEmpty();

        var folder = SharedData.Find(Path.Combine("datasets", "sst2"), out var searched);
        if (folder is null)
        {
            Console.WriteLine($"onnx: skipped, SST-2 not found (looked for {searched})");
            return 0;
        }
        var wall = Stopwatch.StartNew();
        set_num_threads(threads);
        var train = Sst2.Read(Path.Combine(folder, "train.tsv"));
        var dev = Sst2.Read(Path.Combine(folder, "dev.tsv"));
        new Random(Seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(train));
        if (train.Count > trainRows) train = train.GetRange(0, trainRows);
        Console.WriteLine($"SST-2: training the default model (BiLSTM, hidden 128, mean+max pooling) on {train.Count} phrases for {epochs} epoch(s){(quick ? " (quick)" : "")}; {dev.Count} dev sentences; {threads} thread(s) each");

        var ml = new MLContext(seed: Seed);
        var trainerOptions = new RecurrentTextClassifierOptions
        {
            Epochs = epochs,
            Seed = Seed,
            EarlyStoppingPatience = null,
            EnsembleSize = 1,   // one network: the runtimes' speeds stay comparable with earlier rows
            Progress = new SentimentBenchmark.InlineProgress(p =>
            {
                if (p.CompletedEpoch is { } e)
                    Console.WriteLine($"  epoch {e.Epoch + 1}: train loss {e.TrainLoss:F4}, validation accuracy {e.ValidationMetrics.GetValueOrDefault("accuracy"):P2}, {e.Duration.TotalSeconds:F1} s");
            }),
        };
        using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(trainerOptions).Fit(ml.Data.LoadFromEnumerable(train));
        var accuracy = ml.BinaryClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(dev))).Accuracy;

        var onnxPath = Path.Combine(Path.GetTempPath(), $"rnnml-bench-{Guid.NewGuid():N}.onnx");
        try
        {
            var sw = Stopwatch.StartNew();
            ml.Model.ExportRnnModelToOnnx(model, onnxPath, new[] { "negative", "positive" });
            Console.WriteLine($"dev accuracy (TorchSharp) {accuracy:P2}; exported to ONNX in {sw.Elapsed.TotalSeconds:F2} s ({new FileInfo(onnxPath).Length / 1e6:F1} MB)");
            using var sessionOptions = new SessionOptions
            {
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            using var onnx = OnnxTextClassifier.Load(onnxPath, sessionOptions);
            var ids = dev.Select(r => onnx.Text.Encode(r.Text)).ToList();
            return Measure(model.Model, onnx, ids, batchSize, wall);
        }
        finally
        {
            File.Delete(onnxPath);
        }
    }

    private static int Measure(SequenceClassifier torchModel, OnnxTextClassifier onnx, List<long[]> ids, int batchSize, Stopwatch wall)
    {
        torchModel.eval();
        // Length-sorted batches, the same for both runtimes.
        var order = Enumerable.Range(0, ids.Count).OrderBy(i => ids[i].Length).ToArray();
        var batches = order.Chunk(batchSize).Select(rows => rows.Select(r => ids[r]).ToList()).ToList();

        double maxDiff = 0;
        void Compare(IReadOnlyList<float[]> a, IReadOnlyList<OnnxPrediction> b)
        {
            for (int i = 0; i < a.Count; i++)
                for (int k = 0; k < a[i].Length; k++)
                    maxDiff = Math.Max(maxDiff, Math.Abs(a[i][k] - b[i].Probabilities[k]));
        }

        // Warm-up, and the probability comparison on every dev sentence, batched and alone.
        foreach (var batch in batches) Compare(TorchProbabilities(torchModel, batch), onnx.Score(batch));
        foreach (var sentence in ids) Compare(TorchProbabilities(torchModel, new[] { sentence }), onnx.Score(new[] { sentence }));

        // Single sentences, interleaved one by one so that load drifts hit both alike.
        var torchSingle = new List<double>(ids.Count);
        var onnxSingle = new List<double>(ids.Count);
        foreach (var sentence in ids)
        {
            var one = new[] { sentence };
            torchSingle.Add(Timing.Once(() => TorchProbabilities(torchModel, one)));
            onnxSingle.Add(Timing.Once(() => onnx.Score(one)));
        }

        // Whole passes over dev in batches, interleaved.
        var times = Timing.RoundRobin(new Action[]
        {
            () => { foreach (var batch in batches) TorchProbabilities(torchModel, batch); },
            () => { foreach (var batch in batches) onnx.Score(batch); },
        }, warmup: 1, rounds: 5);
        double torchThroughput = ids.Count / (Timing.Median(times[0]) / 1000);
        double onnxThroughput = ids.Count / (Timing.Median(times[1]) / 1000);
        double torchP50 = Timing.Median(torchSingle), onnxP50 = Timing.Median(onnxSingle);

        Console.WriteLine();
        Console.WriteLine($"{"runtime",-28} {"p50 ms (1 sentence)",20} {"sentences/s (batch " + batches[0].Count + ")",26}");
        Console.WriteLine($"{"TorchSharp (libtorch)",-28} {torchP50,20:F3} {torchThroughput,26:F0}");
        Console.WriteLine($"{"ONNX Runtime (export)",-28} {onnxP50,20:F3} {onnxThroughput,26:F0}");
        Console.WriteLine($"max |p_torch - p_onnx| over {ids.Count} dev sentences (batched and alone): {maxDiff:E2}; wall time {wall.Elapsed.TotalSeconds:F0} s");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"onnx: p50_ratio={onnxP50 / torchP50:F3} batch_ratio={onnxThroughput / torchThroughput:F3} max_abs_diff={maxDiff:E2}"));
        return 0;
    }

    /// <summary>What a TorchSharp user does per call: pad, forward without autograd, softmax, copy to managed memory.</summary>
    private static float[][] TorchProbabilities(SequenceClassifier model, IReadOnlyList<long[]> batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (tokens, lengths) = TokenBatch.Pad(batch);
        var probabilities = model.forward(tokens, lengths).softmax(1);
        int c = (int)probabilities.shape[1];
        var flat = probabilities.data<float>().ToArray();
        var rows = new float[batch.Count][];
        for (int i = 0; i < rows.Length; i++) rows[i] = flat.AsSpan(i * c, c).ToArray();
        return rows;
    }
}
