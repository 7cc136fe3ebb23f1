namespace RnnMl.Torch.Training;

/// <summary>
/// The learning-rate schedules' maths, without tensors: the rate of any optimizer step and the cuts of
/// <see cref="LearningRateSchedule.ReduceOnPlateau"/>. Published through <see cref="Trainer.LearningRateAt"/> and
/// <see cref="Trainer.PlateauCuts"/>.
/// </summary>
internal static class LearningRateMath
{
    /// <summary>Whether <paramref name="schedule"/> spans the whole run and so needs the number of batches per epoch.</summary>
    public static bool NeedsStepsPerEpoch(LearningRateSchedule schedule) =>
        schedule is LearningRateSchedule.Cosine or LearningRateSchedule.WarmupLinearDecay or LearningRateSchedule.WarmupCosine;

    /// <summary>See <see cref="Trainer.LearningRateAt"/>; <paramref name="options"/> must be validated.</summary>
    public static double At(TrainerOptions options, int epoch, long step, long stepsPerEpoch, int plateauCuts)
    {
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

    /// <summary>See <see cref="Trainer.PlateauCuts"/>.</summary>
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

    /// <summary>The plateau cuts that apply to the next epoch: 0 unless the schedule is <see cref="LearningRateSchedule.ReduceOnPlateau"/>.</summary>
    public static int CutsFor(TrainerOptions options, IEnumerable<EpochMetrics> history) =>
        options.Schedule == LearningRateSchedule.ReduceOnPlateau ? PlateauCuts(history, options.PlateauPatience) : 0;
}
