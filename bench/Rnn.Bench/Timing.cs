using System.Diagnostics;
using TorchSharp;

namespace RnnMl.Bench;

/// <summary>Shared timing helpers: interleaved (round-robin) measurement and medians.</summary>
internal static class Timing
{
    private const int OrderSeed = 7919;

    /// <summary>
    /// Times each body <paramref name="rounds"/> times, interleaved: every round runs each body once, in a fresh
    /// (seeded) random order, so slow drifts in machine load hit all bodies alike and no body always follows the same
    /// other one (a plain rotation would always put the same neighbour, e.g. a cache-trashing sgemm, before it).
    /// Each call (warm-up too) runs inside its own <c>torch.NewDisposeScope()</c>, whose disposal is part of the
    /// measured time.
    /// </summary>
    /// <param name="bodies">The iterations to compare.</param>
    /// <param name="warmup">Untimed rounds first, each calling every body once.</param>
    /// <param name="rounds">Timed calls of each body.</param>
    /// <param name="budget">Optional wall-clock limit for the timed rounds: once it is spent, stop after the current
    /// round, but never before <paramref name="minRounds"/> rounds.</param>
    /// <param name="minRounds">Rounds always run, whatever the budget.</param>
    /// <returns>Per body, the milliseconds of each timed call.</returns>
    public static double[][] RoundRobin(IReadOnlyList<Action> bodies, int warmup, int rounds, TimeSpan? budget = null, int minRounds = 3)
    {
        int k = bodies.Count;
        var times = new List<double>[k];
        for (int b = 0; b < k; b++) times[b] = new List<double>(rounds);

        var order = Enumerable.Range(0, k).ToArray();
        var rng = new Random(OrderSeed);
        for (int w = 0; w < warmup; w++)
            for (int j = 0; j < k; j++) Once(bodies[j]);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        long start = Stopwatch.GetTimestamp();
        for (int r = 0; r < rounds; r++)
        {
            if (r >= minRounds && budget is { } limit && Stopwatch.GetElapsedTime(start) > limit) break;
            rng.Shuffle(order);
            foreach (int b in order) times[b].Add(Once(bodies[b]));
        }
        return [.. times.Select(t => t.ToArray())];
    }

    /// <summary>Runs <paramref name="body"/> once in a fresh dispose scope; returns the elapsed milliseconds.</summary>
    public static double Once(Action body)
    {
        long start = Stopwatch.GetTimestamp();
        using (torch.NewDisposeScope())
        {
            body();
        }
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>The median (mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
    }

    /// <summary>GFLOP/s for <paramref name="flops"/> done in <paramref name="ms"/> milliseconds.</summary>
    public static double Gflops(double flops, double ms) => flops / (ms * 1e6);
}
