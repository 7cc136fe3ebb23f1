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
/// <para>
/// Where the work is done: the epoch loop, snapshot and checkpoint in <c>TrainingRun</c>, the batches of one epoch in
/// <c>EpochPass</c>, best epoch, early stopping and divergence in <c>EpochBookkeeping</c>, the schedules' maths in
/// <c>LearningRateMath</c>, the optimizer in <c>OptimizerFactory</c> and the per-epoch seeds in <c>EpochSeeds</c>.
/// </para>
/// </remarks>
/// <example>
/// Train a sequence tagger for ten epochs with a cosine schedule, keeping the best validation epoch and a checkpoint to
/// resume from:
/// <code>
/// using var model = SequenceTagger.Create(new SequenceTaggerOptions { VocabularySize = vocabularySize, TagCount = tagCount });
/// using var task = new SequenceTaggerTrainingTask(model, trainTokens, trainTags, validTokens, validTags, batchSize: 32);
/// var trainer = Trainer.Create(new TrainerOptions
/// {
///     Epochs = 10, LearningRate = 1e-3, Schedule = LearningRateSchedule.Cosine, CheckpointDirectory = "checkpoints",
/// });
/// TrainingResult result = trainer.Fit(task);
/// Console.WriteLine($"{result.StopReason}, best epoch {result.BestEpoch + 1}: {result.History[result.BestEpoch].ValidationLoss}");
/// </code>
/// </example>
public sealed class Trainer
{
    /// <summary>Training stops as <see cref="TrainingStopReason.Diverged"/> when an epoch's training loss exceeds this many
    /// times the first epoch's (in the first epoch: its first batch's). 10.</summary>
    public const double DivergenceFactor = 10;

    private Trainer(TrainerOptions options) => Options = options;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">How to train; validated here. Default <c>new TrainerOptions()</c>.</param>
    /// <exception cref="ArgumentException">An option is out of range; the exception names it.</exception>
    /// <example>
    /// <code>
    /// var trainer = Trainer.Create(new TrainerOptions { Epochs = 20, Optimizer = OptimizerKind.AdamW, WeightDecay = 0.01, Seed = 7 });
    /// </code>
    /// </example>
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
        return LearningRateMath.At(options.Validate(), epoch, step, stepsPerEpoch, plateauCuts);
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
    public static int PlateauCuts(IEnumerable<EpochMetrics> history, int patience) => LearningRateMath.PlateauCuts(history, patience);

    /// <summary>Trains the task's model.</summary>
    /// <typeparam name="TBatch">The task's batch description.</typeparam>
    /// <param name="task">Supplies model, batches and loss.</param>
    /// <param name="progress">
    /// Receives reports during epochs (at most about every 100 ms), one per completed epoch and one when training stops
    /// early; called synchronously on the training thread. Default null.
    /// </param>
    /// <param name="cancellationToken">Checked between batches; cancelling stops training and returns <see cref="TrainingStopReason.Cancelled"/> (it does not throw). <see cref="TrainerOptions.MaxTrainingTime"/> stops the same way with <see cref="TrainingStopReason.TimeLimitReached"/>.</param>
    /// <returns>The history, the best epoch and why training stopped. The model holds the final weights: the best epoch's when <see cref="TrainerOptions.RestoreBestWeights"/> and there was validation. Its train/eval mode is restored.</returns>
    /// <exception cref="ArgumentException">The task's model is null or has no trainable parameters.</exception>
    /// <exception cref="InvalidOperationException">
    /// The checkpoint directory holds a checkpoint of a different model or of different options; or the task returned
    /// an invalid batch result, no training batches, or no value for <see cref="TrainerOptions.SelectionMetric"/>.
    /// </exception>
    /// <example>
    /// Stop after at most ten minutes, printing each epoch:
    /// <code>
    /// var options = new TrainerOptions { Epochs = 50, EarlyStoppingPatience = 3, MaxTrainingTime = TimeSpan.FromMinutes(10) };
    /// var result = Trainer.Create(options).Fit(task,
    ///     new Progress&lt;TrainingProgress&gt;(p =&gt; { if (p.CompletedEpoch is { } e) Console.WriteLine($"epoch {e.Epoch + 1}: {e.TrainLoss:F4}"); }));
    /// if (result.StopReason != TrainingStopReason.Completed) Console.WriteLine(result.Message);
    /// </code>
    /// </example>
    public TrainingResult Fit<TBatch>(ITrainingTask<TBatch> task, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var model = task.Model ?? throw new ArgumentException("the task's model must not be null", nameof(task));
        var groups = (task as IParameterGroups)?.ParameterGroups?.Select(g => (g ?? throw new ArgumentException("a parameter group is null", nameof(task))).Validate()).ToList();
        var parameters = groups is null ? model.parameters().Where(p => p.requires_grad).ToList() : groups.SelectMany(g => g.Parameters).ToList();
        if (parameters.Count == 0)
            throw new ArgumentException("the task's model must have parameters that require grad, got none", nameof(task));
        if (parameters.Distinct().Count() != parameters.Count)
            throw new ArgumentException("a parameter is in more than one parameter group", nameof(task));

        if (Options.TuneNativeAllocator && NativeAllocator.TuneForTraining() is { } advice)
            progress?.Report(new TrainingProgress(0, Options.Epochs, 0, double.NaN, 0, null, advice));
        bool wasTraining = model.training;
        // Created outside every dispose scope: the optimizer's moment tensors must live as long as the run.
        using OptimizerHelper optimizer = OptimizerFactory.Create(Options, parameters, groups);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (Options.MaxTrainingTime is { } limit) budget.CancelAfter(limit);
        var run = new TrainingRun<TBatch>(Options, task, model, parameters, groups, optimizer, progress, budget.Token, cancellationToken);
        try
        {
            return run.Execute();
        }
        finally
        {
            run.Dispose();
            // The last backward pass's gradients are of no further use; freed, a trained model (and each member of an
            // ensemble kept for prediction) holds its weights only, not twice their size.
            model.zero_grad();
            model.train(wasTraining);
            foreach (var p in groups?.SelectMany(g => g.Parameters) ?? []) p.requires_grad = true;
        }
    }
}
