namespace RnnMl.Torch.Training;

/// <summary>How the learning rate changes during training; see <see cref="Trainer.LearningRateAt"/> for the formulas.</summary>
public enum LearningRateSchedule
{
    /// <summary>The base learning rate throughout.</summary>
    Constant,

    /// <summary>Multiplied by <see cref="TrainerOptions.StepDecayGamma"/> every <see cref="TrainerOptions.StepDecayEpochs"/> epochs.</summary>
    StepDecay,

    /// <summary>Cosine annealing from the base rate at the first step towards 0 at the end of the last epoch.</summary>
    Cosine,

    /// <summary>Linear rise over the first <see cref="TrainerOptions.WarmupFraction"/> of the steps, then linear decay towards 0 at the end.</summary>
    WarmupLinearDecay,

    /// <summary>Linear rise over the first <see cref="TrainerOptions.WarmupFraction"/> of the steps, then cosine decay towards 0 at the end.</summary>
    WarmupCosine,

    /// <summary>
    /// The base rate, multiplied by <see cref="TrainerOptions.PlateauFactor"/> each time the validation selection score has
    /// not improved for <see cref="TrainerOptions.PlateauPatience"/> epochs in a row (counted afresh after each cut). Without
    /// validation the rate stays constant.
    /// </summary>
    ReduceOnPlateau,
}
