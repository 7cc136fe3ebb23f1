using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>
/// One call of <see cref="Trainer.Fit"/>: the epoch loop and the weights it carries (the rollback snapshot, the
/// checkpoint, the restore at the end). The batches run in <see cref="EpochPass{TBatch}"/>; the decisions between epochs
/// are <see cref="EpochBookkeeping"/>'s.
/// </summary>
/// <typeparam name="TBatch">The task's batch description.</typeparam>
internal sealed class TrainingRun<TBatch> : IDisposable
{
    private readonly TrainerOptions options;
    private readonly nn.Module model;
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly OptimizerHelper optimizer;
    private readonly ProgressThrottle progress;
    private readonly EpochPass<TBatch> pass;
    private readonly CancellationToken cancellation;
    private readonly CancellationToken user;
    private TrainingRunState state = new();
    private WeightSnapshot? snapshot;
    private bool resumed;

    public TrainingRun(TrainerOptions options, ITrainingTask<TBatch> task, nn.Module model, IReadOnlyList<Parameter> parameters,
        IReadOnlyList<ParameterGroup>? groups, OptimizerHelper optimizer, IProgress<TrainingProgress>? progress, CancellationToken cancellation, CancellationToken user)
    {
        this.options = options;
        this.model = model;
        this.parameters = parameters;
        this.optimizer = optimizer;
        this.progress = new ProgressThrottle(progress);
        pass = new EpochPass<TBatch>(options, task, model, parameters, groups, optimizer, this.progress, cancellation);
        this.cancellation = cancellation;
        this.user = user;
    }

    public TrainingResult Execute()
    {
        if (options.CheckpointDirectory is not null) EnsureWritable(options.CheckpointDirectory);
        string? checkpointPath = options.CheckpointDirectory is null ? null : Path.Combine(options.CheckpointDirectory, TrainerCheckpoint.FileName);
        if (checkpointPath is not null && options.ResumeFromCheckpoint && File.Exists(checkpointPath))
        {
            Resume(checkpointPath);
            if (state.Finished || state.CompletedEpochs >= options.Epochs)
                return Finish(state.Finished ? state.StopReason : TrainingStopReason.Completed, state.Message);
        }
        snapshot ??= WeightSnapshot.Capture(model);

        for (int epoch = state.CompletedEpochs; epoch < options.Epochs; epoch++)
        {
            if (cancellation.IsCancellationRequested)
                return Cancelled(epoch, 0);
            var started = progress.Elapsed;
            manual_seed(EpochSeeds.Torch(options.Seed, epoch));
            var random = EpochSeeds.Task(options.Seed, epoch);

            var train = pass.Train(epoch, random, state);
            if (train.Interruption is { } trainStop)
                return Interrupted(epoch, trainStop);
            var validation = pass.Validate(epoch);
            if (validation.Interruption is { } validationStop)
                return Interrupted(epoch, validationStop);
            if (EpochBookkeeping.Divergence(options, state, epoch, train) is { } diverged)
                return RolledBack(TrainingStopReason.Diverged, diverged, epoch, train.Batches, train.Loss, train.Count);

            var metrics = EpochBookkeeping.Close(options, state, epoch, train, validation, progress.Elapsed - started, out bool takeSnapshot);
            if (takeSnapshot) snapshot!.Update(model);
            if (options.CheckpointDirectory is not null)
                TrainerCheckpoint.Write(options.CheckpointDirectory, options.Fingerprint(), state, model, snapshot, optimizer);
            progress.Report(new TrainingProgress(epoch, options.Epochs, train.Batches, train.Loss, train.Count, metrics, null), force: true);
            if (state.Finished)
            {
                progress.Report(new TrainingProgress(epoch, options.Epochs, train.Batches, train.Loss, train.Count, null, state.Message), force: true);
                return Finish(state.StopReason, state.Message);
            }
        }
        return Finish(TrainingStopReason.Completed, null);
    }

    private void Resume(string path)
    {
        using var checkpoint = TrainerCheckpoint.Read(path);
        checkpoint.EnsureMatches(TrainerCheckpoint.LayoutOf(model), options.Fingerprint());
        WeightSnapshot.CopyInto(checkpoint.Model, model);
        var saved = checkpoint.TakeSnapshot();
        snapshot = saved is null ? WeightSnapshot.Capture(model) : WeightSnapshot.Adopt(saved);
        OptimizerFactory.Load(optimizer, options, parameters, checkpoint.OptimizerState);
        state = checkpoint.State;
        resumed = true;
    }

    private TrainingResult Finish(TrainingStopReason reason, string? message)
    {
        if (EpochBookkeeping.RestoresBest(options, state) && state.SnapshotEpoch == state.BestEpoch)
            snapshot!.LoadInto(model);
        return Result(reason, message);
    }

    private TrainingResult Interrupted(int epoch, EpochInterruption stop) => stop.Cancelled
        ? Cancelled(epoch, stop.Batch)
        : RolledBack(TrainingStopReason.NonFiniteLoss, EpochBookkeeping.NonFinite(options, state, stop.What!), epoch, Math.Max(stop.Batch, 0), stop.MeanLoss, stop.Count);

    // The token fires for the user's cancellation or for MaxTrainingTime: a budget that ran out is the budget doing its
    // job, not a cancellation, so it gets its own reason and words.
    private TrainingResult Cancelled(int epoch, int batch)
    {
        bool restore = EpochBookkeeping.RestoresBest(options, state);
        bool timeLimit = !user.IsCancellationRequested && options.MaxTrainingTime is not null;
        string message = EpochBookkeeping.Cancelled(options, state, epoch, batch, timeLimit);
        progress.Report(new TrainingProgress(epoch, options.Epochs, Math.Max(batch, 0), double.NaN, 0, null, message), force: true);
        if (restore) snapshot!.LoadInto(model);
        return Result(timeLimit ? TrainingStopReason.TimeLimitReached : TrainingStopReason.Cancelled, message);
    }

    // A divergence or a non-finite value: back to the snapshot (the best or last good epoch, or the initial weights).
    private TrainingResult RolledBack(TrainingStopReason reason, string message, int epoch, int batches, double loss, long count)
    {
        snapshot!.LoadInto(model);
        progress.Report(new TrainingProgress(epoch, options.Epochs, batches, loss, count, null, message), force: true);
        return Result(reason, message);
    }

    private TrainingResult Result(TrainingStopReason reason, string? message) =>
        new(state.History.ToList(), state.BestEpoch, reason, message, resumed);

    // A checkpoint directory that cannot be written would otherwise fail only after the first epoch, losing it.
    private static void EnsureWritable(string directory)
    {
        string probe = Path.Combine(directory, $".rnnml-write-probe-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllBytes(probe, new byte[] { 1 });
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ArgumentException($"checkpoint directory '{Path.GetFullPath(directory)}' cannot be written ({e.Message}); fix its permissions or choose another one before training", nameof(TrainerOptions.CheckpointDirectory), e);
        }
    }

    public void Dispose()
    {
        snapshot?.Dispose();
        snapshot = null;
    }
}
