using RnnMl.Torch.Training;

namespace RnnMl.Bench;

/// <summary>
/// Counts the training items (tokens, characters, windows) a run went through, the epoch a time budget interrupted
/// included, and passes each finished epoch on; for throughput figures.
/// </summary>
internal sealed class TrainedItems(Action<EpochMetrics> epochCompleted) : IProgress<TrainingProgress>
{
    private long finished, partial;

    /// <summary>Items of the finished epochs plus those of the interrupted one.</summary>
    public long Count => finished + partial;

    public void Report(TrainingProgress report)
    {
        // The report of a stop (a message, no count) must not erase the count of the epoch it interrupted.
        if (report.Message is null) partial = report.ItemsProcessed;
        if (report.CompletedEpoch is not { } e) return;
        finished += e.TrainCount;
        partial = 0;
        epochCompleted(e);
    }
}
