using RnnMl.Text;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Training;

namespace RnnMl.MLNet;

/// <summary>The options every RnnMl text estimator shares: text normalisation, the recurrent cell, and training (optimiser,
/// schedule, clipping, checkpoints, seed, progress). Every default is stated.</summary>
public abstract class RecurrentTrainingOptions
{
    /// <summary>Unicode normalisation of the text (and of text tokens and prompts). Default NFKC.</summary>
    public TextNormalization Normalization { get; set; } = TextNormalization.NFKC;

    /// <summary>Tokens seen fewer times in the training data map to the unknown token (which is never generated). Default 1.</summary>
    public int MinTokenCount { get; set; } = 1;

    /// <summary>The recurrent cell. Default LSTM.</summary>
    public RecurrentCellKind Cell { get; set; } = RecurrentCellKind.Lstm;

    /// <summary>Which implementation runs the recurrent layers. Default Auto (see <see cref="RecurrentBackend.Auto"/>).</summary>
    public RecurrentBackend Backend { get; set; } = RecurrentBackend.Auto;

    /// <summary>Stacked recurrent layers. Default 1.</summary>
    public int NumLayers { get; set; } = 1;

    /// <summary>Optimiser. Default Adam.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Weight decay. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Learning-rate schedule (formulas at <see cref="Trainer.LearningRateAt"/>). Default constant.</summary>
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

    /// <summary>Throws an <see cref="ArgumentException"/>-family error naming the first bad shared option and its value.</summary>
    private protected void ValidateShared()
    {
        if (MinTokenCount < 1)
            throw new ArgumentOutOfRangeException(nameof(MinTokenCount), MinTokenCount, $"minimum token count must be at least 1, got {MinTokenCount}");
        if (!Enum.IsDefined(Normalization))
            throw new ArgumentOutOfRangeException(nameof(Normalization), Normalization, $"normalization must be None, NFC or NFKC, got {Normalization}");
    }

    /// <summary>The trainer's options from these and the estimator's own epoch count, learning rate, patience and selection metric.</summary>
    private protected TrainerOptions TrainerOptionsWith(int epochs, double learningRate, int? patience, string? selectionMetric, int seed) => new()
    {
        Epochs = epochs,
        LearningRate = learningRate,
        Optimizer = Optimizer,
        WeightDecay = WeightDecay,
        Schedule = Schedule,
        WarmupFraction = WarmupFraction,
        PlateauPatience = PlateauPatience,
        PlateauFactor = PlateauFactor,
        GradientClipNorm = GradientClipNorm,
        EarlyStoppingPatience = patience,
        SelectionMetric = selectionMetric,
        SelectionMetricHigherIsBetter = true,
        RestoreBestWeights = true,
        CheckpointDirectory = CheckpointDirectory,
        Seed = seed,
    };
}
