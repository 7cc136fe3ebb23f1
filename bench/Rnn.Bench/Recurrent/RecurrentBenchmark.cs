using System.Diagnostics;
using System.Globalization;
using TorchSharp;

namespace RnnMl.Bench;

/// <summary>
/// The <c>recurrent</c> subcommand: TorchSharp's raw recurrent modules against our layers' fused, fused-ragged and composed backends (and which one Auto runs),
/// forward only and forward+backward, a 2048² sgemm as the machine's reference, a memory check, and a last line of
/// throughput ratios for the 1-layer unidirectional LSTM in training.
/// </summary>
internal static class RecurrentBenchmark
{
    public const string Name = "recurrent";

    public const string Summary = "LSTM/GRU/RNN layers: TorchSharp raw vs our fused, fused-ragged and composed backends, Auto's pick (+ sgemm, memory)";

    /// <summary>Outputs of raw and composed may differ from fused by float rounding only; more than this is reported.</summary>
    private const double OutputTolerance = 1e-4;

    /// <summary>In --quick, timed rounds stop once this is spent (after at least 3), to stay under a minute on a busy machine.</summary>
    private static readonly TimeSpan QuickBudget = TimeSpan.FromSeconds(20);

    public static string Usage => RecurrentOptions.Usage;

    public static int Run(string[] args)
    {
        var options = RecurrentOptions.Parse(args);
        if (options.Help)
        {
            Console.WriteLine(Usage);
            return 0;
        }

        if (options.Threads > 0) torch.set_num_threads(options.Threads);
        bool tuned = !options.GlibcMalloc && RnnMl.Torch.NativeAllocator.Tune();
        var clock = Stopwatch.StartNew();
        var configs = (options.Quick ? RecurrentConfig.Quick() : RecurrentConfig.Sweep())
            .Where(c => options.Cell is null || c.CellName.Equals(options.Cell, StringComparison.OrdinalIgnoreCase))
            .Where(c => options.Lengths is null || c.VariableLength == (options.Lengths == "ragged"))
            .ToList();
        Console.WriteLine($"recurrent{(options.Quick ? " --quick" : "")}: torch threads = {torch.get_num_threads()}, "
            + $"{Environment.ProcessorCount} logical CPUs, {RuntimeInfo()}, load average {LoadAverage()}, "
            + $"malloc {(tuned ? "tuned (NativeAllocator)" : "glibc defaults")}");
        foreach (var line in RecurrentTable.Header(RecurrentConfig.Headline, options.Warmup, options.Rounds, options.HeadlineRounds))
            Console.WriteLine(line);

        using var sgemm = new SgemmProbe();
        RecurrentRow? headline = null;
        var rows = new List<RecurrentRow>();
        double sgemmMs = double.NaN;
        double worstDifference = 0;

        foreach (var config in configs)
        {
            using var set = new ContenderSet(config);
            double difference = set.MaxOutputDifference();
            worstDifference = Math.Max(worstDifference, difference);
            if (!(difference <= OutputTolerance))
                Console.Error.WriteLine($"warning: {config} outputs of raw/composed differ from fused by {difference.ToString("G3", CultureInfo.InvariantCulture)}");

            foreach (bool train in new[] { false, true })
            {
                bool isHeadline = config.IsHeadline && train;
                set.SetTraining(train);
                var input = set.Input;
                var bodies = set.All
                    .Select(c => train ? (Action)(() => c.TrainStep(input)) : () => c.ForwardOnly(input))
                    .ToList();
                // The sgemm runs interleaved with the headline measurement, so both see the same machine load.
                if (isHeadline) bodies.Add(sgemm.Multiply);

                var times = Timing.RoundRobin(bodies,
                    isHeadline ? options.Warmup + 1 : options.Warmup,
                    config.IsHeadline ? options.HeadlineRounds : options.Rounds,
                    options.Quick ? QuickBudget : null);
                var medians = times.Select(Timing.Median).ToArray();
                double? MedianOf(Contender? c) => c is null ? null : medians[set.All.ToList().IndexOf(c)];

                double flops = config.ForwardFlops(set.ValidSteps) * (train ? 3 : 1);
                var row = new RecurrentRow(config, train, flops, medians[0], medians[1], medians[2],
                    MedianOf(set.Ragged), MedianOf(set.Padded), MedianOf(set.Gemm), times[0].Length, train ? set.AutoTraining : set.AutoInference);
                Console.WriteLine(RecurrentTable.Format(row));
                rows.Add(row);
                if (isHeadline)
                {
                    headline = row;
                    sgemmMs = medians[^1];
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"check: largest |output - fused output| of raw, composed and ragged over all configurations = {worstDifference.ToString("G3", CultureInfo.InvariantCulture)}"
            + (worstDifference <= OutputTolerance ? " (same weights, OK)" : " (MISMATCH)"));
        if (rows.Count > 0)
        {
            var worst = rows.MinBy(r => r.AutoVsBest)!;
            Console.WriteLine($"auto: worst auto/best = {F(worst.AutoVsBest, 3)} ({worst.Config.CellName} L{worst.Config.Layers} "
                + $"D{worst.Config.Directions} {(worst.Config.VariableLength ? "ragged" : "full")} {(worst.Train ? "train" : "fwd")}, "
                + $"auto {RecurrentTable.ShortName(worst.Auto)}, best {RecurrentTable.ShortName(worst.Best.Backend)})");
        }
        if (headline is null)
        {
            Console.WriteLine($"load average at the end: {LoadAverage()}");
            Console.WriteLine("ratios: - (the filters left out the LSTM L1 D1 full-length training row)");
            return 0;
        }

        double sgemmGflops = Timing.Gflops(SgemmProbe.Flops, sgemmMs);
        Console.WriteLine($"sgemm: torch.mm {SgemmProbe.Size}x{SgemmProbe.Size} float32, GFLOP/s = 2*{SgemmProbe.Size}^3 / time: "
            + $"{F(sgemmMs, 1)} ms, {F(sgemmGflops, 1)} GFLOP/s (median, interleaved with the LSTM L1 D1 train row)");

        var memoryShape = options.Quick
            ? RecurrentConfig.Headline with { Batch = 16, Steps = 25, InputSize = 32, HiddenSize = 64 }
            : RecurrentConfig.Headline;
        Console.WriteLine($"memory check: 200 SGD steps of a 1-layer LSTM, composed backend, N={memoryShape.Batch} T={memoryShape.Steps} "
            + $"I={memoryShape.InputSize} H={memoryShape.HiddenSize}; RSS after full GC. A few % early growth is allocator and JIT "
            + "warm-up (it levels off); a leak keeps growing with every step.");
        var (rss20, rss200) = MemoryCheck.Run(memoryShape);
        Console.WriteLine($"memory: rss_step20_mb={F(rss20, 1)} rss_step200_mb={F(rss200, 1)} growth_pct={F(100 * (rss200 - rss20) / rss20, 2)}");

        Console.WriteLine($"load average at the end: {LoadAverage()} (above {Environment.ProcessorCount} means other work shared the CPUs; expect noise)");
        var h = headline;
        Console.Error.WriteLine($"recurrent: finished in {clock.Elapsed.TotalSeconds:F1} s");
        var worstAuto = rows.MinBy(r => r.AutoVsBest)!;
        var raggedTrain = rows.FirstOrDefault(r => r.Train && r.Config == (RecurrentConfig.Headline with { VariableLength = true }));
        string raggedVsFull = raggedTrain is null ? "" : " lstm_ragged_vs_full_train="
            + F(Timing.Gflops(raggedTrain.Flops, raggedTrain.Best.Ms) / Timing.Gflops(h.Flops, h.Best.Ms), 3);
        Console.WriteLine($"ratios: fused_vs_raw={F(h.FusedVsRaw, 3)} composed_vs_fused={F(h.ComposedVsFused, 3)} "
            + $"fused_train_vs_sgemm={F(Timing.Gflops(h.Flops, h.FusedMs) / sgemmGflops, 3)} "
            + $"auto_vs_best_min={F(worstAuto.AutoVsBest, 3)} lstm_train_vs_sgemm={F(Timing.Gflops(h.Flops, h.Best.Ms) / sgemmGflops, 3)}"
            + raggedVsFull);
        return 0;
    }

    private static string F(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg, or "n/a" elsewhere.</summary>
    private static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} {parts[1]} {parts[2]}";
        }
        catch (IOException)
        {
            return "n/a";
        }
        catch (UnauthorizedAccessException)
        {
            return "n/a";
        }
    }

    private static string RuntimeInfo()
    {
        string torchSharp = typeof(torch).Assembly.GetName().Version?.ToString() ?? "?";
        return $"TorchSharp {torchSharp}, .NET {Environment.Version}";
    }
}
