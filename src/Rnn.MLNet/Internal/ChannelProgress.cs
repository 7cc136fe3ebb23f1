using Microsoft.ML.Runtime;
using RnnMl.Torch.Training;

namespace RnnMl.MLNet.Internal;

/// <summary>Forwards training progress to the user's <see cref="IProgress{T}"/> and logs each finished epoch to the MLContext log.</summary>
internal sealed class ChannelProgress : IProgress<TrainingProgress>
{
    private readonly IChannel channel;
    private readonly IProgress<TrainingProgress>? user;

    public ChannelProgress(IChannel channel, IProgress<TrainingProgress>? user)
    {
        this.channel = channel;
        this.user = user;
    }

    public void Report(TrainingProgress value)
    {
        if (value.CompletedEpoch is { } e)
        {
            var validation = e.ValidationLoss is double vl
                ? $"; validation loss {vl:F4}, accuracy {e.ValidationMetrics.GetValueOrDefault("accuracy"):P2}"
                : "";
            channel.Info(MessageSensitivity.None,
                $"epoch {e.Epoch + 1}/{value.Epochs}: train loss {e.TrainLoss:F4}, accuracy {e.TrainMetrics.GetValueOrDefault("accuracy"):P2}{validation}{(e.IsBest ? " (best)" : "")} in {e.Duration.TotalSeconds:F1} s");
        }
        user?.Report(value);
    }
}
