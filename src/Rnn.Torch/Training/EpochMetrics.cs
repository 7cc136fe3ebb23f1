namespace RnnMl.Torch.Training;

/// <summary>What one completed epoch measured.</summary>
/// <param name="Epoch">The epoch, 0-based.</param>
/// <param name="TrainLoss">The Count-weighted mean of the training batches' losses (measured while the weights changed).</param>
/// <param name="ValidationLoss">The Count-weighted mean of the validation batches' losses; null without validation batches.</param>
/// <param name="TrainMetrics">Each MetricSums key: the epoch's training sum ÷ <paramref name="TrainCount"/>.</param>
/// <param name="ValidationMetrics">Each MetricSums key: the validation sum ÷ the validation Count; empty without validation.</param>
/// <param name="LearningRate">The learning rate of the epoch's last optimizer step.</param>
/// <param name="Duration">Wall time of the epoch's training and validation.</param>
/// <param name="TrainCount">The sum of the training batches' Count.</param>
/// <param name="IsBest">Whether this epoch improved the selection score (always false without validation).</param>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double? ValidationLoss,
    IReadOnlyDictionary<string, double> TrainMetrics,
    IReadOnlyDictionary<string, double> ValidationMetrics,
    double LearningRate,
    TimeSpan Duration,
    long TrainCount,
    bool IsBest);
