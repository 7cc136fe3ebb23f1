using RnnMl.Torch.Layers;

namespace RnnMl.MLNet;

/// <summary>
/// The options every RnnMl estimator shares, declared and validated once: the recurrent network's size and cell,
/// training (epochs, learning rate, batches, validation, early stopping, time limit, optimiser, schedule, clipping,
/// checkpoints, seed, progress, cancellation). A task's options class adds only what is its own. Defaults that differ
/// by task are stated per task.
/// </summary>
public abstract class RecurrentTrainingOptions
{
    private int epochs = 10;

    /// <summary>The recurrent cell. Default LSTM (GRU for the translator and the forecaster).</summary>
    public RecurrentCellKind Cell { get; set; } = RecurrentCellKind.Lstm;

    /// <summary>Which implementation runs the recurrent layers. Default Auto (see <see cref="RecurrentBackend.Auto"/>).</summary>
    public RecurrentBackend Backend { get; set; } = RecurrentBackend.Auto;

    /// <summary>Stacked recurrent layers. Default 1.</summary>
    public int NumLayers { get; set; } = 1;

    /// <summary>Recurrent hidden size H (per direction). Default 128 (256 for the text generator and the translator).</summary>
    public int HiddenSize { get; set; } = 128;

    /// <summary>Dropout in training, in [0, 1). Default 0.3 for classifiers and the translator, 0.5 for the tagger, 0 for
    /// the text generator and the forecaster.</summary>
    public double Dropout { get; set; }

    /// <summary>Training epochs (at most; early stopping or <see cref="MaxTrainingTime"/> may end sooner). Default 4 for
    /// classifiers (raised on small data by their <c>MinimumSteps</c>), 10 for the translator and the text generator, 40 for
    /// the tagger, 30 for the forecaster.</summary>
    public int Epochs
    {
        get => epochs;
        set { epochs = value; EpochsSet = true; }
    }

    /// <summary>Learning rate. Default 0.002 (0.003 for classifiers and the text generator, 0.005 for the tagger).</summary>
    public double LearningRate { get; set; } = 2e-3;

    /// <summary>Examples per training batch (for the text generator: its <c>Streams</c>; for the forecaster: windows). Default
    /// 64 (32 streams for the text generator, 16 sentences for the tagger).</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Rows per batch when <c>Transform</c> runs the model, and per validation batch in training. Default 256 for
    /// classifiers and the forecaster, 128 for the translator and the tagger, 32 for the text generator.</summary>
    public int PredictionBatchSize { get; set; } = 256;

    /// <summary>Share of the training rows held out for validation (best epoch, early stopping) when <c>Fit</c> gets no
    /// validation data; 0 for none. Classifiers, the translator and the tagger hold out random rows, the text generator and
    /// the forecaster the last rows. In [0, 1). Default 0.1 for classifiers and the tagger, 0.05 for the translator and the
    /// text generator, 0.2 for the forecaster.</summary>
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>Stop after this many epochs without a better validation score (accuracy for classifiers and the tagger, loss
    /// otherwise); null to never stop early. Default 3 (5 for the tagger).</summary>
    public int? EarlyStoppingPatience { get; set; } = 3;

    /// <summary>Stop training after this much time (checked between batches), keeping the best weights so far; the result's
    /// stop reason is then <see cref="TrainingStopReason.TimeLimitReached"/>. Null for no limit. Positive. Default null.</summary>
    public TimeSpan? MaxTrainingTime { get; set; }

    /// <summary>Optimiser. Default Adam (AdamW for classifiers).</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Weight decay (decoupled for AdamW). Default 0 (0.01 for classifiers).</summary>
    public double WeightDecay { get; set; }

    /// <summary>Learning-rate schedule (formulas at <see cref="Trainer.LearningRateAt"/>). Default constant (warm-up then linear
    /// decay for classifiers, reduce-on-plateau for the translator, the tagger and the forecaster).</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>For the warm-up schedules: the share of all steps spent warming up, in [0, 1). Default 0.1.</summary>
    public double WarmupFraction { get; set; } = 0.1;

    /// <summary>For <see cref="LearningRateSchedule.ReduceOnPlateau"/>: epochs without a better validation score before each cut; at least 1. Default 1.</summary>
    public int PlateauPatience { get; set; } = 1;

    /// <summary>For <see cref="LearningRateSchedule.ReduceOnPlateau"/>: the factor applied to the rate at each cut, in (0, 1). Default 0.5.</summary>
    public double PlateauFactor { get; set; } = 0.5;

    /// <summary>Clip gradients to this global norm; null for no clipping. Default 5.</summary>
    public double? GradientClipNorm { get; set; } = 5.0;

    /// <summary>Write a checkpoint here after every epoch and resume from it; null for none. Default null.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>The seed for initialisation, shuffling and dropout; null to draw it from the MLContext's seed. Default null.</summary>
    public int? Seed { get; set; }

    /// <summary>Receives progress during training (also logged to the MLContext log once per epoch). Default null.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Stops training between batches; the model keeps the best weights so far. Default none.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// Let training set glibc's malloc thresholds first (<see cref="RnnMl.Torch.NativeAllocator.Tune"/>), so libtorch's
    /// large blocks are reused instead of page-faulted in again at every step (LSTM training several times faster on
    /// Linux); false leaves the process's malloc settings alone. Default true.
    /// </summary>
    public bool TuneNativeAllocator { get; set; } = true;

    /// <summary>True once <see cref="Epochs"/> was set by the user (not by a task's default).</summary>
    private protected bool EpochsSet { get; private set; }

    /// <summary>Throws an <see cref="ArgumentException"/>-family error naming the first bad option and its value.</summary>
    public abstract void Validate();

    /// <summary>Sets the task's defaults without marking <see cref="Epochs"/> as chosen by the user.</summary>
    private protected void TaskDefaults(int epochs, double learningRate, int batchSize, int predictionBatchSize,
        double validationFraction, int hiddenSize, double dropout)
    {
        (this.epochs, LearningRate, BatchSize, PredictionBatchSize) = (epochs, learningRate, batchSize, predictionBatchSize);
        (ValidationFraction, HiddenSize, Dropout) = (validationFraction, hiddenSize, dropout);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option (name, value) that names no column.</summary>
    private protected static void RequireColumns(params (string Name, string Value)[] columns)
    {
        foreach (var (name, value) in columns)
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"{name} must name a column, got '{value}'", name);
    }

    /// <summary>Checks the shared options that the model and trainer options do not check themselves.</summary>
    private protected void ValidateShared()
    {
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"batch size must be at least 1, got {BatchSize}");
        if (PredictionBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(PredictionBatchSize), PredictionBatchSize, $"prediction batch size must be at least 1, got {PredictionBatchSize}");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, $"validation fraction must be in [0, 1), got {ValidationFraction}");
        if (MaxTrainingTime is { } limit && limit <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MaxTrainingTime), limit, $"maximum training time must be positive (or null for no limit), got {limit}");
        TrainerOptions(0, 0).Validate();
    }

    /// <summary>The metric that picks the best epoch (higher is better), or null for the validation loss. Default null.</summary>
    private protected virtual string? SelectionMetric => null;

    /// <summary>The epochs to train on <paramref name="trainingRows"/> rows. Default <see cref="Epochs"/>.</summary>
    private protected virtual int EpochsFor(int trainingRows) => Epochs;

    /// <summary>A member-wise copy (the estimator keeps its own, so later changes to these options do not reach it).</summary>
    internal RecurrentTrainingOptions CloneOptions() => (RecurrentTrainingOptions)MemberwiseClone();

    /// <summary>The trainer's options for a run with <paramref name="seed"/> on <paramref name="trainingRows"/> rows.</summary>
    internal TrainerOptions TrainerOptions(int seed, int trainingRows) => new()
    {
        Epochs = EpochsFor(trainingRows),
        LearningRate = LearningRate,
        Optimizer = Optimizer,
        WeightDecay = WeightDecay,
        Schedule = Schedule,
        WarmupFraction = WarmupFraction,
        PlateauPatience = PlateauPatience,
        PlateauFactor = PlateauFactor,
        GradientClipNorm = GradientClipNorm,
        EarlyStoppingPatience = EarlyStoppingPatience,
        SelectionMetric = SelectionMetric,
        SelectionMetricHigherIsBetter = true,
        RestoreBestWeights = true,
        CheckpointDirectory = CheckpointDirectory,
        Seed = seed,
        MaxTrainingTime = MaxTrainingTime,
        TuneNativeAllocator = TuneNativeAllocator,
    };
}
