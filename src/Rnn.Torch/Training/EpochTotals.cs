namespace RnnMl.Torch.Training;

/// <summary>What one pass over an epoch's training or validation batches added up to, or why it stopped.</summary>
/// <param name="Batches">Batches completed.</param>
/// <param name="Loss">The count-weighted mean loss; NaN without batches.</param>
/// <param name="Count">Examples (or tokens) counted.</param>
/// <param name="Metrics">The metric sums divided by <paramref name="Count"/>.</param>
/// <param name="LearningRate">The last step's learning rate (training passes only; NaN otherwise).</param>
/// <param name="Interruption">Set when the pass stopped early; the other values are then meaningless.</param>
internal sealed record EpochTotals(int Batches, double Loss, long Count, IReadOnlyDictionary<string, double> Metrics, double LearningRate,
    EpochInterruption? Interruption)
{
    /// <summary>The loss of the epoch's first batch (training epochs only).</summary>
    public double FirstLoss { get; init; } = double.NaN;

    /// <summary>A pass that stopped early.</summary>
    public static EpochTotals Stopped(EpochInterruption interruption) =>
        new(0, double.NaN, 0, new SortedDictionary<string, double>(), double.NaN, interruption);
}

/// <summary>Why a pass stopped before its batches ran out.</summary>
/// <param name="Cancelled">True for cancellation, false for a non-finite loss or gradient norm.</param>
/// <param name="Batch">The batch it stopped at, 0-based; −1 during validation.</param>
/// <param name="What">For a non-finite value: what became non-finite, where (the start of the message).</param>
/// <param name="LossSum">The count-weighted loss sum of the batches before (NaN during validation).</param>
/// <param name="Count">Their count.</param>
internal sealed record EpochInterruption(bool Cancelled, int Batch, string? What = null, double LossSum = double.NaN, long Count = 0)
{
    /// <summary>The mean loss of the batches before the interruption; NaN without any.</summary>
    public double MeanLoss => Count == 0 ? double.NaN : LossSum / Count;
}
