namespace RnnMl.MLNet.Internal;

/// <summary>Forwards training progress to the user's <see cref="IProgress{T}"/> and logs each finished epoch to the MLContext log.</summary>
internal sealed class ChannelProgress : IProgress<TrainingProgress>
{
    private readonly IChannel channel;
    private readonly IProgress<TrainingProgress>? user;
    private readonly Func<EpochMetrics, string>? describe;

    /// <param name="channel">The MLContext log.</param>
    /// <param name="user">The user's progress receiver, or null.</param>
    /// <param name="describe">What the log says about a finished epoch; null for the classifier's loss and accuracy.</param>
    public ChannelProgress(IChannel channel, IProgress<TrainingProgress>? user, Func<EpochMetrics, string>? describe = null)
    {
        this.channel = channel;
        this.user = user;
        this.describe = describe;
    }

    public void Report(TrainingProgress value)
    {
        if (value.CompletedEpoch is { } e && describe is not null)
            channel.Info(MessageSensitivity.None, $"epoch {e.Epoch + 1}/{value.Epochs}: {describe(e)}");
        else if (value.CompletedEpoch is not null)
            LogClassifierEpoch(value.CompletedEpoch, value.Epochs);
        user?.Report(value);
    }

    private void LogClassifierEpoch(EpochMetrics e, int epochs)
    {
        var validation = e.ValidationLoss is double vl
            ? $"; validation loss {vl:F4}, accuracy {e.ValidationMetrics.GetValueOrDefault("accuracy"):P2}"
            : "";
        channel.Info(MessageSensitivity.None,
            $"epoch {e.Epoch + 1}/{epochs}: train loss {e.TrainLoss:F4}, accuracy {e.TrainMetrics.GetValueOrDefault("accuracy"):P2}{validation}{(e.IsBest ? " (best)" : "")} in {e.Duration.TotalSeconds:F1} s");
    }
}
