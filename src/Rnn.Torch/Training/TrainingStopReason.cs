namespace RnnMl.Torch.Training;

/// <summary>Why <see cref="Trainer.Fit"/> returned.</summary>
public enum TrainingStopReason
{
    /// <summary>Every epoch ran.</summary>
    Completed,

    /// <summary>The selection score did not improve for <see cref="TrainerOptions.EarlyStoppingPatience"/> epochs.</summary>
    EarlyStopped,

    /// <summary>A loss (or the gradient norm) became NaN or infinite; the weights were rolled back.</summary>
    NonFiniteLoss,

    /// <summary>The cancellation token was cancelled.</summary>
    Cancelled,

    /// <summary>Training diverged: an epoch's training loss rose above <see cref="Trainer.DivergenceFactor"/> times the
    /// first epoch's (or, in the first epoch, its first batch's); the best weights so far were kept.</summary>
    Diverged,

    /// <summary>The training time limit ran out (the ML.NET trainers' <c>MaxTrainingTime</c>); the best weights so far were
    /// kept, as for <see cref="Cancelled"/>. Only the ML.NET trainers report it: <see cref="Trainer"/> itself sees one
    /// cancellation token and reports <see cref="Cancelled"/>.</summary>
    TimeLimitReached,
}
