using System.Globalization;

namespace RnnMl.Torch.Training;

/// <summary>How <see cref="Trainer"/> trains; checked by <see cref="Validate"/> when the trainer is created.</summary>
public sealed record TrainerOptions
{
    /// <summary>The number of epochs to train; at least 1. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>The largest learning rate accepted, 1e3: far above any useful value (1e-4 to 1 for Adam and SGD), and
    /// below float32's range, which libtorch's optimizers need.</summary>
    public const double MaxLearningRate = 1e3;

    /// <summary>The base learning rate; positive, at most <see cref="MaxLearningRate"/> (1e3). Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The optimizer. Default <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Weight decay: an L2 penalty for Adam and SGD, decoupled for AdamW; at least 0 and finite. Default 0.</summary>
    public double WeightDecay { get; init; } = 0;

    /// <summary>SGD momentum, in [0, 1); ignored by Adam and AdamW. Default 0.9.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>The learning-rate schedule, applied at every optimizer step. Default <see cref="LearningRateSchedule.Constant"/>.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>For <see cref="LearningRateSchedule.StepDecay"/>: epochs between decays; at least 1. Default 1.</summary>
    public int StepDecayEpochs { get; init; } = 1;

    /// <summary>For <see cref="LearningRateSchedule.StepDecay"/>: the factor applied at each decay, in (0, 1]. Default 0.5.</summary>
    public double StepDecayGamma { get; init; } = 0.5;

    /// <summary>For <see cref="LearningRateSchedule.WarmupLinearDecay"/> and <see cref="LearningRateSchedule.WarmupCosine"/>: the fraction of all steps spent warming up, in [0, 1). Default 0.1.</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>For <see cref="LearningRateSchedule.ReduceOnPlateau"/>: epochs without a better validation score before each cut; at least 1. Default 1.</summary>
    public int PlateauPatience { get; init; } = 1;

    /// <summary>For <see cref="LearningRateSchedule.ReduceOnPlateau"/>: the factor applied at each cut, in (0, 1). Default 0.5.</summary>
    public double PlateauFactor { get; init; } = 0.5;

    /// <summary>The largest global gradient norm (see <see cref="GradientClipping.ClipGlobalNorm"/>); positive and finite, or null for no clipping. Default 5.</summary>
    public double? GradientClipNorm { get; init; } = 5.0;

    /// <summary>
    /// Stop after this many consecutive epochs without improvement of the selection score; at least 1, or null to never
    /// stop early. Has an effect only when the task has validation batches. Default 3.
    /// </summary>
    public int? EarlyStoppingPatience { get; init; } = 3;

    /// <summary>
    /// The validation score that picks the best epoch: null for the validation loss (lower is better), otherwise a
    /// MetricSums key such as "correct", compared as <see cref="SelectionMetricHigherIsBetter"/> says. Default null.
    /// </summary>
    public string? SelectionMetric { get; init; } = null;

    /// <summary>Whether a larger <see cref="SelectionMetric"/> is better; ignored when it is null. Default true.</summary>
    public bool SelectionMetricHigherIsBetter { get; init; } = true;

    /// <summary>
    /// At the end (and on cancellation), load the weights of the best validation epoch; without validation the final
    /// weights are kept. Default true.
    /// </summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>Where to write a checkpoint at the end of every epoch; null for no checkpoints. Default null.</summary>
    public string? CheckpointDirectory { get; init; } = null;

    /// <summary>
    /// If <see cref="CheckpointDirectory"/> holds a checkpoint of the same model and options, continue from it; a checkpoint
    /// of a run that stopped early, or that already completed <see cref="Epochs"/> epochs or more, is returned as it is,
    /// without training. A checkpoint of another model or other options is refused. False starts afresh and overwrites
    /// it. Default true.
    /// </summary>
    public bool ResumeFromCheckpoint { get; init; } = true;

    /// <summary>The one seed behind torch's generator and the tasks' shuffling, per epoch. Default 0.</summary>
    public int Seed { get; init; } = 0;

    /// <summary>
    /// A time budget for <see cref="Trainer.Fit"/>: when it runs out, training stops at the next batch as a cancellation
    /// does (the best epoch's weights are restored when <see cref="RestoreBestWeights"/>), and the stop reason is
    /// <see cref="TrainingStopReason.TimeLimitReached"/> rather than <see cref="TrainingStopReason.Cancelled"/>. Null for
    /// no limit. Positive. Not part of a checkpoint's identity: a resumed run gets the budget afresh. Default null.
    /// </summary>
    public TimeSpan? MaxTrainingTime { get; init; } = null;

    /// <summary>
    /// When true, <see cref="Trainer.Fit"/> first calls <see cref="NativeAllocator.Tune"/>: glibc keeps libtorch's large
    /// freed blocks for reuse instead of returning them to the kernel each step (one-layer LSTM training 1.5× faster with
    /// our composed loop and 5× with libtorch's fused kernel in the <c>recurrent</c> benchmark). Process-wide; a no-op off
    /// glibc or when malloc's environment variables are set. Set false to keep glibc's defaults (memory handed back sooner).
    /// Not part of a checkpoint's identity. Default true.
    /// </summary>
    public bool TuneNativeAllocator { get; init; } = true;

    /// <summary>Throws an <see cref="ArgumentException"/> (usually <see cref="ArgumentOutOfRangeException"/>) naming the first bad option; returns this.</summary>
    public TrainerOptions Validate()
    {
        if (Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, $"epochs must be at least 1, got {Epochs}");
        if (!(LearningRate > 0 && LearningRate <= MaxLearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"learning rate must be positive and at most {MaxLearningRate:G} (useful values are 1e-4 to 1), got {LearningRate}");
        if (!Enum.IsDefined(Optimizer))
            throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, $"optimizer must be Adam, AdamW or Sgd, got {Optimizer}");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, $"weight decay must be at least 0 and finite, got {WeightDecay}");
        if (!(Momentum >= 0 && Momentum < 1))
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, $"momentum must be in [0, 1), got {Momentum}");
        if (!Enum.IsDefined(Schedule))
            throw new ArgumentOutOfRangeException(nameof(Schedule), Schedule, $"schedule must be Constant, StepDecay, Cosine, WarmupLinearDecay, WarmupCosine or ReduceOnPlateau, got {Schedule}");
        if (StepDecayEpochs < 1)
            throw new ArgumentOutOfRangeException(nameof(StepDecayEpochs), StepDecayEpochs, $"step decay epochs must be at least 1, got {StepDecayEpochs}");
        if (!(StepDecayGamma > 0 && StepDecayGamma <= 1))
            throw new ArgumentOutOfRangeException(nameof(StepDecayGamma), StepDecayGamma, $"step decay gamma must be in (0, 1], got {StepDecayGamma}");
        if (!(WarmupFraction >= 0 && WarmupFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(WarmupFraction), WarmupFraction, $"warmup fraction must be in [0, 1), got {WarmupFraction}");
        if (PlateauPatience < 1)
            throw new ArgumentOutOfRangeException(nameof(PlateauPatience), PlateauPatience, $"plateau patience must be at least 1, got {PlateauPatience}");
        if (!(PlateauFactor > 0 && PlateauFactor < 1))
            throw new ArgumentOutOfRangeException(nameof(PlateauFactor), PlateauFactor, $"plateau factor must be in (0, 1), got {PlateauFactor}");
        if (GradientClipNorm is { } clip && (!(clip > 0) || double.IsInfinity(clip)))
            throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), clip, $"gradient clip norm must be positive and finite (or null for no clipping), got {clip}");
        if (EarlyStoppingPatience is { } patience && patience < 1)
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), patience, $"early stopping patience must be at least 1 (or null to never stop early), got {patience}");
        if (SelectionMetric is not null && string.IsNullOrWhiteSpace(SelectionMetric))
            throw new ArgumentException($"selection metric must be a MetricSums key (or null for the validation loss), got \"{SelectionMetric}\"", nameof(SelectionMetric));
        if (MaxTrainingTime is { } limit && limit <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MaxTrainingTime), limit, $"the time budget must be positive (or null for no limit), got {limit}");
        if (CheckpointDirectory is not null && string.IsNullOrWhiteSpace(CheckpointDirectory))
            throw new ArgumentException($"checkpoint directory must be a path (or null for no checkpoints), got \"{CheckpointDirectory}\"", nameof(CheckpointDirectory));
        return this;
    }

    /// <summary>The options that shape the trajectory of training, as (name, value) pairs; a checkpoint is only resumed under the same ones.</summary>
    internal IReadOnlyList<(string Name, string Value)> Fingerprint()
    {
        static string F(double d) => d.ToString("R", CultureInfo.InvariantCulture);
        var list = new List<(string, string)>
        {
            (nameof(Seed), Seed.ToString(CultureInfo.InvariantCulture)),
            (nameof(Optimizer), Optimizer.ToString()),
            (nameof(LearningRate), F(LearningRate)),
            (nameof(WeightDecay), F(WeightDecay)),
            (nameof(Schedule), Schedule.ToString()),
            (nameof(GradientClipNorm), GradientClipNorm is { } c ? F(c) : "null"),
            (nameof(SelectionMetric), SelectionMetric ?? "null"),
        };
        if (Optimizer == OptimizerKind.Sgd)
            list.Add((nameof(Momentum), F(Momentum)));
        if (SelectionMetric is not null)
            list.Add((nameof(SelectionMetricHigherIsBetter), SelectionMetricHigherIsBetter.ToString()));
        if (Schedule == LearningRateSchedule.StepDecay)
        {
            list.Add((nameof(StepDecayEpochs), StepDecayEpochs.ToString(CultureInfo.InvariantCulture)));
            list.Add((nameof(StepDecayGamma), F(StepDecayGamma)));
        }
        // These schedules spread over the whole run, so more epochs would change the rates already used.
        if (Schedule is LearningRateSchedule.Cosine or LearningRateSchedule.WarmupLinearDecay or LearningRateSchedule.WarmupCosine)
            list.Add((nameof(Epochs), Epochs.ToString(CultureInfo.InvariantCulture)));
        if (Schedule is LearningRateSchedule.WarmupLinearDecay or LearningRateSchedule.WarmupCosine)
            list.Add((nameof(WarmupFraction), F(WarmupFraction)));
        if (Schedule == LearningRateSchedule.ReduceOnPlateau)
        {
            list.Add((nameof(PlateauPatience), PlateauPatience.ToString(CultureInfo.InvariantCulture)));
            list.Add((nameof(PlateauFactor), F(PlateauFactor)));
        }
        return list;
    }
}
