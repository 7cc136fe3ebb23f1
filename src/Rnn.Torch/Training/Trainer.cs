using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>
/// The reusable training loop: a task supplies its model, its batches and its loss (<see cref="ITrainingTask{TBatch}"/>);
/// the trainer optimises, schedules the learning rate, clips gradients, validates, stops early, checkpoints and resumes.
/// </summary>
/// <remarks>
/// <para>
/// Determinism: at the start of epoch e the trainer seeds torch's generator and creates the task's
/// <see cref="Random"/> from <see cref="TrainerOptions.Seed"/> and e alone, so no epoch's randomness depends on the
/// epochs before it. Together with the checkpoint (weights, optimizer moments and step counts, schedule clock, history,
/// best weights and patience), resuming gives bit for bit the result of not stopping. The model's initial weights are the
/// task's business: seed torch before building it. torch's generator is process-wide, so runs that must be
/// reproducible must not share the process with other code drawing random numbers at the same time.
/// </para>
/// <para>
/// A NaN or infinite training loss (or gradient norm, when clipping) stops training at once without stepping the
/// optimizer and rolls the weights back to the best validation epoch, or to the last completed epoch without
/// validation (or when <see cref="TrainerOptions.RestoreBestWeights"/> is false), or to the initial weights.
/// </para>
/// </remarks>
public sealed class Trainer
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Training stops as <see cref="TrainingStopReason.Diverged"/> when an epoch's training loss exceeds this many
    /// times the first epoch's (in the first epoch: its first batch's). 10.</summary>
    public const double DivergenceFactor = 10;

    private Trainer(TrainerOptions options) => Options = options;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">How to train; validated here. Default <c>new TrainerOptions()</c>.</param>
    /// <exception cref="ArgumentException">An option is out of range; the exception names it.</exception>
    public static Trainer Create(TrainerOptions? options = null) => new((options ?? new TrainerOptions()).Validate());

    /// <summary>The validated options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>
    /// The learning rate of optimizer step <paramref name="step"/> (0-based, counted over the whole run) in epoch
    /// <paramref name="epoch"/>, with T = <paramref name="stepsPerEpoch"/> · Epochs total steps, base rate η and
    /// W = ⌊WarmupFraction·T⌋ warm-up steps:
    /// Constant η; StepDecay η·γ^⌊epoch / StepDecayEpochs⌋; Cosine η·(1 + cos(π·step / T)) / 2;
    /// WarmupLinearDecay η·(step + 1) / W while step &lt; W, then η·(T − step) / (T − W);
    /// WarmupCosine η·(step + 1) / W while step &lt; W, then η·(1 + cos(π·(step − W) / (T − W))) / 2;
    /// ReduceOnPlateau η·PlateauFactor^c with c = <paramref name="plateauCuts"/>.
    /// Steps past T (a later epoch with more batches than epoch 0) keep the rate of step T − 1.
    /// </summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="epoch">The epoch, 0-based; at least 0.</param>
    /// <param name="step">The optimizer step over the whole run, 0-based; at least 0.</param>
    /// <param name="stepsPerEpoch">Batches per epoch; at least 1 for Cosine, WarmupLinearDecay and WarmupCosine, ignored otherwise.</param>
    /// <param name="plateauCuts">For ReduceOnPlateau: the cuts so far (see <see cref="PlateauCuts"/>); at least 0. Default 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static double LearningRateAt(TrainerOptions options, int epoch, long step, long stepsPerEpoch, int plateauCuts = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (epoch < 0)
            throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"epoch must be at least 0, got {epoch}");
        if (step < 0)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"step must be at least 0, got {step}");
        if (plateauCuts < 0)
            throw new ArgumentOutOfRangeException(nameof(plateauCuts), plateauCuts, $"plateau cuts must be at least 0, got {plateauCuts}");
        double lr = options.LearningRate;
        switch (options.Schedule)
        {
            case LearningRateSchedule.Constant:
                return lr;
            case LearningRateSchedule.StepDecay:
                return lr * Math.Pow(options.StepDecayGamma, epoch / options.StepDecayEpochs);
            case LearningRateSchedule.ReduceOnPlateau:
                return lr * Math.Pow(options.PlateauFactor, plateauCuts);
        }
        if (stepsPerEpoch < 1)
            throw new ArgumentOutOfRangeException(nameof(stepsPerEpoch), stepsPerEpoch, $"steps per epoch must be at least 1 for the {options.Schedule} schedule, got {stepsPerEpoch}");
        long total = checked(stepsPerEpoch * options.Epochs);
        long t = Math.Min(step, total - 1);
        if (options.Schedule == LearningRateSchedule.Cosine)
            return lr * 0.5 * (1 + Math.Cos(Math.PI * t / total));
        long warmup = (long)Math.Floor(options.WarmupFraction * total);
        if (t < warmup)
            return lr * (t + 1) / warmup;
        return options.Schedule == LearningRateSchedule.WarmupCosine
            ? lr * 0.5 * (1 + Math.Cos(Math.PI * (t - warmup) / (total - warmup)))
            : lr * (total - t) / (total - warmup);
    }

    /// <summary>
    /// How many times <see cref="LearningRateSchedule.ReduceOnPlateau"/> has cut the rate after the epochs in
    /// <paramref name="history"/>: a counter of consecutive validated epochs without improvement (<see cref="EpochMetrics.IsBest"/>
    /// false) makes a cut and restarts each time it reaches <paramref name="patience"/>; an improvement resets it; epochs
    /// without validation are skipped.
    /// </summary>
    /// <param name="history">The completed epochs, in order.</param>
    /// <param name="patience">Epochs without improvement per cut; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="patience"/> is below 1.</exception>
    public static int PlateauCuts(IEnumerable<EpochMetrics> history, int patience)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (patience < 1)
            throw new ArgumentOutOfRangeException(nameof(patience), patience, $"patience must be at least 1, got {patience}");
        int cuts = 0, bad = 0;
        foreach (var epoch in history)
        {
            if (epoch.ValidationLoss is null) continue;
            if (epoch.IsBest) { bad = 0; continue; }
            if (++bad == patience) { cuts++; bad = 0; }
        }
        return cuts;
    }

    /// <summary>Trains the task's model.</summary>
    /// <typeparam name="TBatch">The task's batch description.</typeparam>
    /// <param name="task">Supplies model, batches and loss.</param>
    /// <param name="progress">
    /// Receives reports during epochs (at most about every 100 ms), one per completed epoch and one when training stops
    /// early; called synchronously on the training thread. Default null.
    /// </param>
    /// <param name="cancellationToken">Checked between batches; cancelling stops training and returns <see cref="TrainingStopReason.Cancelled"/> (it does not throw).</param>
    /// <returns>The history, the best epoch and why training stopped. The model holds the final weights: the best epoch's when <see cref="TrainerOptions.RestoreBestWeights"/> and there was validation. Its train/eval mode is restored.</returns>
    /// <exception cref="ArgumentException">The task's model is null or has no trainable parameters.</exception>
    /// <exception cref="InvalidOperationException">
    /// The checkpoint directory holds a checkpoint of a different model or of different options; or the task returned
    /// an invalid batch result, no training batches, or no value for <see cref="TrainerOptions.SelectionMetric"/>.
    /// </exception>
    public TrainingResult Fit<TBatch>(ITrainingTask<TBatch> task, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var model = task.Model ?? throw new ArgumentException("the task's model must not be null", nameof(task));
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        if (parameters.Count == 0)
            throw new ArgumentException("the task's model must have parameters that require grad, got none", nameof(task));

        bool wasTraining = model.training;
        // Created outside every dispose scope: the optimizer's moment tensors must live as long as the run.
        using var optimizer = CreateOptimizer(parameters);
        var run = new Run<TBatch>(this, task, model, parameters, optimizer, progress, cancellationToken);
        try
        {
            return run.Execute();
        }
        finally
        {
            run.Dispose();
            model.train(wasTraining);
        }
    }

    private OptimizerHelper CreateOptimizer(IReadOnlyList<Parameter> parameters) => Options.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(parameters, Options.LearningRate, weight_decay: Options.WeightDecay),
        OptimizerKind.AdamW => optim.AdamW(parameters, Options.LearningRate, weight_decay: Options.WeightDecay),
        _ => optim.SGD(parameters, Options.LearningRate, momentum: Options.Momentum, weight_decay: Options.WeightDecay),
    };

    /// <summary>Which of the per-epoch random streams a seed is for.</summary>
    private enum SeedStream { Torch = 0, Task = 1 }

    /// <summary>A seed for epoch <paramref name="epoch"/> from the run's seed alone (SplitMix64 finaliser, so nearby seeds and epochs give unrelated streams).</summary>
    private static ulong EpochSeed(int seed, int epoch, SeedStream stream)
    {
        static ulong Mix(ulong x)
        {
            x += 0x9E3779B97F4A7C15UL;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }
        return Mix(Mix((ulong)(uint)seed) ^ ((ulong)(uint)epoch << 1 | (ulong)stream));
    }

    /// <summary>One call of <see cref="Fit"/>: the loop and the state it carries.</summary>
    private sealed class Run<TBatch> : IDisposable
    {
        private readonly TrainerOptions options;
        private readonly ITrainingTask<TBatch> task;
        private readonly nn.Module model;
        private readonly IReadOnlyList<Parameter> parameters;
        private readonly OptimizerHelper optimizer;
        private readonly IProgress<TrainingProgress>? progress;
        private readonly CancellationToken cancellation;
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private TimeSpan? lastReport;
        private TrainingRunState state = new();
        private WeightSnapshot? snapshot;
        private bool resumed;

        public Run(Trainer trainer, ITrainingTask<TBatch> task, nn.Module model, IReadOnlyList<Parameter> parameters,
            OptimizerHelper optimizer, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
        {
            options = trainer.Options;
            this.task = task;
            this.model = model;
            this.parameters = parameters;
            this.optimizer = optimizer;
            this.progress = progress;
            this.cancellation = cancellation;
        }

        private bool NeedsStepsPerEpoch => options.Schedule is LearningRateSchedule.Cosine or LearningRateSchedule.WarmupLinearDecay or LearningRateSchedule.WarmupCosine;

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
                var started = clock.Elapsed;
                manual_seed((long)(EpochSeed(options.Seed, epoch, SeedStream.Torch) >> 1));
                var random = new Random((int)(EpochSeed(options.Seed, epoch, SeedStream.Task) >> 33));

                var train = TrainEpoch(epoch, random);
                if (train.Stop is { } trainStop)
                    return trainStop;
                var validation = ValidateEpoch(epoch);
                if (validation.Stop is { } validationStop)
                    return validationStop;
                if (Diverged(epoch, train) is { } diverged)
                    return diverged;

                var metrics = CloseEpoch(epoch, train, validation, clock.Elapsed - started);
                if (options.CheckpointDirectory is not null)
                    TrainerCheckpoint.Write(options.CheckpointDirectory, options.Fingerprint(), state, model, snapshot, optimizer);
                Report(new TrainingProgress(epoch, options.Epochs, train.Batches, train.Loss, train.Count, metrics, null), force: true);
                if (state.Finished)
                {
                    Report(new TrainingProgress(epoch, options.Epochs, train.Batches, train.Loss, train.Count, null, state.Message), force: true);
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
            PrepareOptimizerForLoad();
            using (var reader = new BinaryReader(new MemoryStream(checkpoint.OptimizerState)))
                optimizer.load_state_dict(reader);
            state = checkpoint.State;
            resumed = true;
        }

        // TorchSharp's SGD creates a missing momentum buffer as float32 when loading; giving every parameter a buffer
        // of its own dtype first makes loading work for any dtype (a saved "no buffer" still clears it).
        private void PrepareOptimizerForLoad()
        {
            if (optimizer is not SGD sgd || options.Momentum == 0) return;
            var states = sgd.state_dict().State;
            for (int i = 0; i < states.Count && i < parameters.Count; i++)
                if (states[i] is SGD.State s && s.momentum_buffer is null)
                    s.momentum_buffer = zeros_like(parameters[i]).DetachFromDisposeScope();
        }

        private sealed record EpochTotals(int Batches, double Loss, long Count, IReadOnlyDictionary<string, double> Metrics, double LearningRate, TrainingResult? Stop)
        {
            /// <summary>The loss of the epoch's first batch (training epochs only).</summary>
            public double FirstLoss { get; init; } = double.NaN;
        }

        private EpochTotals TrainEpoch(int epoch, Random random)
        {
            model.train();
            double lossSum = 0, lr = double.NaN, firstLoss = double.NaN;
            long count = 0;
            int batch = 0;
            var sums = new SortedDictionary<string, double>(StringComparer.Ordinal);
            // The epoch scope catches tensors a task makes eagerly when asked for the epoch's batches.
            using var epochScope = NewDisposeScope();
            IEnumerable<TBatch> batches = task.TrainingBatches(epoch, random)
                ?? throw new InvalidOperationException($"the task returned null training batches for epoch {epoch + 1}");
            if (NeedsStepsPerEpoch && state.StepsPerEpoch == 0)
            {
                // Cosine and warm-up schedules need the run's length: count epoch 0 and assume the same for every epoch.
                var list = batches.ToList();
                state.StepsPerEpoch = list.Count;
                batches = list;
            }
            int plateauCuts = options.Schedule == LearningRateSchedule.ReduceOnPlateau ? PlateauCuts(state.History, options.PlateauPatience) : 0;
            using var enumerator = batches.GetEnumerator();
            while (true)
            {
                if (cancellation.IsCancellationRequested)
                    return Stopped(Cancelled(epoch, batch));
                using var batchScope = NewDisposeScope();
                if (!enumerator.MoveNext()) break;
                optimizer.zero_grad();
                var result = Checked(task.Evaluate(enumerator.Current, training: true), epoch, batch, training: true);
                double loss = result.Loss.detach().to(ScalarType.Float64).item<double>();
                if (!double.IsFinite(loss))
                    return Stopped(NonFinite($"loss became {Describe(loss)} at epoch {epoch + 1}, batch {batch + 1}", epoch, batch, lossSum, count));
                result.Loss.backward();
                if (options.GradientClipNorm is { } maxNorm)
                {
                    double norm = GradientClipping.ClipGlobalNorm(parameters, maxNorm);
                    if (!double.IsFinite(norm))
                        return Stopped(NonFinite($"gradient norm became {Describe(norm)} at epoch {epoch + 1}, batch {batch + 1}", epoch, batch, lossSum, count));
                }
                lr = LearningRateAt(options, epoch, state.StepsTaken, state.StepsPerEpoch, plateauCuts);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                optimizer.step();
                state.StepsTaken++;

                if (batch == 0) firstLoss = loss;
                lossSum += loss * result.Count;
                count += result.Count;
                Accumulate(sums, result.MetricSums);
                batch++;
                Report(new TrainingProgress(epoch, options.Epochs, batch, lossSum / count, count, null, null), force: false);
            }
            if (batch == 0)
                throw new InvalidOperationException($"the task gave no training batches for epoch {epoch + 1}");
            return new EpochTotals(batch, lossSum / count, count, Divide(sums, count), lr, null) { FirstLoss = firstLoss };
        }

        private EpochTotals ValidateEpoch(int epoch)
        {
            model.eval();
            double lossSum = 0;
            long count = 0;
            int batch = 0;
            var sums = new SortedDictionary<string, double>(StringComparer.Ordinal);
            using var noGrad = no_grad();
            using var epochScope = NewDisposeScope();
            var batches = task.ValidationBatches()
                ?? throw new InvalidOperationException("the task returned null validation batches; return an empty sequence for no validation");
            using var enumerator = batches.GetEnumerator();
            while (true)
            {
                if (cancellation.IsCancellationRequested)
                    return Stopped(Cancelled(epoch, -1));
                using var batchScope = NewDisposeScope();
                if (!enumerator.MoveNext()) break;
                var result = Checked(task.Evaluate(enumerator.Current, training: false), epoch, batch, training: false);
                double loss = result.Loss.to(ScalarType.Float64).item<double>();
                if (!double.IsFinite(loss))
                    return Stopped(NonFinite($"validation loss became {Describe(loss)} at epoch {epoch + 1}, validation batch {batch + 1}", epoch, -1, double.NaN, 0));
                lossSum += loss * result.Count;
                count += result.Count;
                Accumulate(sums, result.MetricSums);
                batch++;
            }
            return new EpochTotals(batch, count == 0 ? double.NaN : lossSum / count, count, Divide(sums, count), double.NaN, null);
        }

        private EpochMetrics CloseEpoch(int epoch, EpochTotals train, EpochTotals validation, TimeSpan duration)
        {
            bool hasValidation = validation.Count > 0;
            bool improved = false;
            if (hasValidation)
            {
                double score = options.SelectionMetric is null
                    ? validation.Loss
                    : validation.Metrics.TryGetValue(options.SelectionMetric, out var value)
                        ? value
                        : throw new InvalidOperationException(
                            $"the selection metric \"{options.SelectionMetric}\" is not among the validation metrics of epoch {epoch + 1} ({(validation.Metrics.Count == 0 ? "none" : string.Join(", ", validation.Metrics.Keys))})");
                bool higherIsBetter = options.SelectionMetric is not null && options.SelectionMetricHigherIsBetter;
                improved = !double.IsNaN(score) && (!state.HasValidation || state.BestEpoch < 0 || double.IsNaN(state.BestScore)
                    || (higherIsBetter ? score > state.BestScore : score < state.BestScore));
                if (improved)
                {
                    state.BestEpoch = epoch;
                    state.BestScore = score;
                    state.EpochsWithoutImprovement = 0;
                }
                else
                {
                    state.EpochsWithoutImprovement++;
                }
            }
            else
            {
                state.BestEpoch = epoch;
                state.BestScore = double.NaN;
                state.EpochsWithoutImprovement = 0;
            }
            state.HasValidation = hasValidation;

            // The snapshot is what a non-finite loss rolls back to: the best epoch when that is what we would end
            // with, otherwise the latest completed epoch.
            if (!(hasValidation && options.RestoreBestWeights) || improved)
            {
                snapshot!.Update(model);
                state.SnapshotEpoch = epoch;
            }

            var metrics = new EpochMetrics(epoch, train.Loss, hasValidation ? validation.Loss : null, train.Metrics,
                hasValidation ? validation.Metrics : new SortedDictionary<string, double>(StringComparer.Ordinal),
                train.LearningRate, duration, train.Count, improved);
            state.History.Add(metrics);
            state.CompletedEpochs = epoch + 1;

            if (hasValidation && options.EarlyStoppingPatience is { } patience && state.EpochsWithoutImprovement >= patience && epoch + 1 < options.Epochs)
            {
                state.Finished = true;
                state.StopReason = TrainingStopReason.EarlyStopped;
                string what = options.SelectionMetric is null ? "validation loss" : $"validation {options.SelectionMetric}";
                state.Message = $"{what} did not improve for {patience} epoch{(patience == 1 ? "" : "s")} after epoch {state.BestEpoch + 1}; stopped after epoch {epoch + 1}"
                    + (options.RestoreBestWeights ? $" and restored the weights of epoch {state.BestEpoch + 1}" : "");
            }
            return metrics;
        }

        private TrainingResult Finish(TrainingStopReason reason, string? message)
        {
            if (options.RestoreBestWeights && state.HasValidation && state.BestEpoch >= 0 && state.SnapshotEpoch == state.BestEpoch)
                snapshot!.LoadInto(model);
            return new TrainingResult(state.History.ToList(), state.BestEpoch, reason, message, resumed);
        }

        private TrainingResult Cancelled(int epoch, int batch)
        {
            bool restore = options.RestoreBestWeights && state.HasValidation && state.BestEpoch >= 0;
            string where = batch < 0 ? $"during validation of epoch {epoch + 1}" : $"at epoch {epoch + 1}, batch {batch + 1}";
            string message = $"cancelled {where}; " + (restore ? $"restored the weights of epoch {state.BestEpoch + 1}, the best" : "kept the current weights");
            Report(new TrainingProgress(epoch, options.Epochs, Math.Max(batch, 0), double.NaN, 0, null, message), force: true);
            if (restore) snapshot!.LoadInto(model);
            return new TrainingResult(state.History.ToList(), state.BestEpoch, TrainingStopReason.Cancelled, message, resumed);
        }

        // Training that diverges (a learning rate far too high) rarely produces NaN: the loss just explodes. Compared with
        // the first epoch's training loss, or in the first epoch with its first batch's, before the epoch is recorded, so the
        // weights kept are those of the best (or last good) epoch. Guarded by TrainerTests' divergence tests.
        private TrainingResult? Diverged(int epoch, EpochTotals train)
        {
            double reference = state.History.Count > 0 ? state.History[0].TrainLoss : train.FirstLoss;
            if (!(train.Loss > DivergenceFactor * reference) || !(reference > 0)) return null;
            snapshot!.LoadInto(model);
            string kept = state.SnapshotEpoch < 0 ? "the initial weights" : $"the weights of epoch {state.SnapshotEpoch + 1}";
            string message = $"training diverged: the training loss of epoch {epoch + 1} is {train.Loss:G4}, more than {DivergenceFactor:G}× the " +
                $"{(state.History.Count > 0 ? "first epoch's" : "first batch's")} {reference:G4}; stopped and kept {kept} — lower the learning rate (now {options.LearningRate:G})";
            Report(new TrainingProgress(epoch, options.Epochs, train.Batches, train.Loss, train.Count, null, message), force: true);
            return new TrainingResult(state.History.ToList(), state.BestEpoch, TrainingStopReason.Diverged, message, resumed);
        }

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

        private TrainingResult NonFinite(string what, int epoch, int batch, double lossSum, long count)
        {
            snapshot!.LoadInto(model);
            string kept = state.SnapshotEpoch < 0 ? "the initial weights" : $"the weights of epoch {state.SnapshotEpoch + 1}";
            string advice = options.GradientClipNorm is null ? "lower the learning rate or enable gradient clipping" : "lower the learning rate or the gradient clip norm";
            string message = $"{what}; kept {kept} — {advice}";
            Report(new TrainingProgress(epoch, options.Epochs, Math.Max(batch, 0), count == 0 ? double.NaN : lossSum / count, count, null, message), force: true);
            return new TrainingResult(state.History.ToList(), state.BestEpoch, TrainingStopReason.NonFiniteLoss, message, resumed);
        }

        private static EpochTotals Stopped(TrainingResult result) =>
            new(0, double.NaN, 0, new SortedDictionary<string, double>(), double.NaN, result);

        private static string Describe(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "+infinity" : "-infinity";

        private static BatchResult Checked(BatchResult? result, int epoch, int batch, bool training)
        {
            string where = $"{(training ? "training" : "validation")} batch {batch + 1} of epoch {epoch + 1}";
            if (result is null)
                throw new InvalidOperationException($"the task's Evaluate returned null for {where}");
            if (result.Loss is null || result.Loss.numel() != 1)
                throw new InvalidOperationException($"the loss of {where} must be a single-element tensor, got {(result.Loss is null ? "null" : $"shape [{string.Join(", ", result.Loss.shape)}]")}");
            if (result.Count < 1)
                throw new InvalidOperationException($"the count of {where} must be at least 1, got {result.Count}");
            if (training && !result.Loss.requires_grad)
                throw new InvalidOperationException($"the loss of {where} must be attached to the autograd graph (requires_grad), got a tensor without it");
            return result;
        }

        private static void Accumulate(SortedDictionary<string, double> sums, IReadOnlyDictionary<string, double>? batch)
        {
            if (batch is null) return;
            foreach (var (key, value) in batch)
                sums[key] = sums.GetValueOrDefault(key) + value;
        }

        private static IReadOnlyDictionary<string, double> Divide(SortedDictionary<string, double> sums, long count)
        {
            var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach (var (key, value) in sums) result[key] = count == 0 ? double.NaN : value / count;
            return result;
        }

        private void Report(TrainingProgress report, bool force)
        {
            if (progress is null) return;
            var now = clock.Elapsed;
            if (!force && lastReport is { } last && now - last < ProgressInterval) return;
            lastReport = now;
            progress.Report(report);
        }

        public void Dispose()
        {
            snapshot?.Dispose();
            snapshot = null;
        }
    }
}
