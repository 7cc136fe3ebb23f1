using RnnMl.Torch.Training;

namespace RnnMl.MLNet;

/// <summary>The training options every RnnMl estimator shares (optimiser, schedule, clipping, checkpoints, seed, progress). Every default is stated.</summary>
public abstract class RecurrentTrainingOptions
{
    /// <summary>Optimiser. Default Adam.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Weight decay. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Learning-rate schedule. Default constant.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

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

    /// <summary>The trainer's options from these and the estimator's own epoch count, learning rate, patience and selection metric.</summary>
    private protected TrainerOptions TrainerOptionsWith(int epochs, double learningRate, int? patience, string? selectionMetric, int seed) => new()
    {
        Epochs = epochs,
        LearningRate = learningRate,
        Optimizer = Optimizer,
        WeightDecay = WeightDecay,
        Schedule = Schedule,
        GradientClipNorm = GradientClipNorm,
        EarlyStoppingPatience = patience,
        SelectionMetric = selectionMetric,
        SelectionMetricHigherIsBetter = true,
        RestoreBestWeights = true,
        CheckpointDirectory = CheckpointDirectory,
        Seed = seed,
    };
}
