namespace RnnMl.Torch.Training;

/// <summary>A progress report from <see cref="Trainer.Fit"/>: during an epoch (at most about every 100 ms), once per completed epoch, once when training stops early, and once at the start with advice when the thread slows training.</summary>
/// <param name="Epoch">The current epoch, 0-based.</param>
/// <param name="Epochs">The number of epochs asked for.</param>
/// <param name="Batch">Training batches finished so far in this epoch.</param>
/// <param name="RunningLoss">The Count-weighted mean training loss of this epoch so far (NaN before the first batch).</param>
/// <param name="ItemsProcessed">The sum of the training batches' Count so far in this epoch.</param>
/// <param name="CompletedEpoch">Set on the report that closes an epoch; null otherwise.</param>
/// <param name="Message">Set on the report of an early stop, a non-finite loss, a divergence or a cancellation, and on a first report (epoch 0, batch 0) when training runs on a worker thread that glibc's allocator slows down (<see cref="NativeAllocator.WorkerThreadAdvice"/>); null otherwise.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, double RunningLoss, long ItemsProcessed, EpochMetrics? CompletedEpoch, string? Message);
