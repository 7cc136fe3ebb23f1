using System.Diagnostics;

namespace RnnMl.Torch.Training;

/// <summary>The run's clock and its progress callback, which hears from batches at most every <see cref="Interval"/>.</summary>
internal sealed class ProgressThrottle
{
    /// <summary>The shortest time between two unforced reports: 100 ms.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly IProgress<TrainingProgress>? progress;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TimeSpan? lastReport;

    public ProgressThrottle(IProgress<TrainingProgress>? progress) => this.progress = progress;

    /// <summary>Time since the run started.</summary>
    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>Passes <paramref name="report"/> on when <paramref name="force"/> or when <see cref="Interval"/> has passed since the last one.</summary>
    public void Report(TrainingProgress report, bool force)
    {
        if (progress is null) return;
        var now = clock.Elapsed;
        if (!force && lastReport is { } last && now - last < Interval) return;
        lastReport = now;
        progress.Report(report);
    }
}
