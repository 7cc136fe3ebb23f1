namespace RnnMl.Torch.Training;

/// <summary>The outcome of <see cref="Trainer.Fit"/>.</summary>
/// <param name="History">One entry per completed epoch, including those restored from a checkpoint.</param>
/// <param name="BestEpoch">
/// The epoch with the best selection score when there was validation; otherwise the last completed epoch. −1 when no
/// epoch completed.
/// </param>
/// <param name="StopReason">Why training stopped.</param>
/// <param name="Message">A human-readable explanation for every stop reason but <see cref="TrainingStopReason.Completed"/>; null then. Epochs and batches in it are counted from 1, as people count.</param>
/// <param name="ResumedFromCheckpoint">Whether training continued from (or returned) a checkpoint in <see cref="TrainerOptions.CheckpointDirectory"/>.</param>
public sealed record TrainingResult(IReadOnlyList<EpochMetrics> History, int BestEpoch, TrainingStopReason StopReason, string? Message, bool ResumedFromCheckpoint);
