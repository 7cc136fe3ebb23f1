using RnnMl.Torch.Training;
using Spectre.Console;

namespace RnnMl.Samples.Sentiment;

/// <summary>Shows training progress: a bar per batch within the current epoch (on an interactive terminal) and a line per finished epoch.</summary>
internal sealed class TrainingProgressDisplay : IProgress<TrainingProgress>
{
    private readonly long itemsPerEpoch;
    private readonly object gate = new();
    private ProgressTask? task;
    private int epoch = -1;

    /// <param name="itemsPerEpoch">Training rows per epoch (the bar's length).</param>
    public TrainingProgressDisplay(long itemsPerEpoch) => this.itemsPerEpoch = Math.Max(1, itemsPerEpoch);

    /// <summary>Whether the console can show a live progress bar (not when the output is redirected).</summary>
    public static bool Interactive => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    /// <summary>Trains inside a live progress display when the console is interactive, or with epoch lines only otherwise.</summary>
    public T Run<T>(Func<T> train)
    {
        if (!Interactive)
            return train();
        return AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                lock (gate) task = ctx.AddTask("starting", maxValue: itemsPerEpoch);
                try
                {
                    return train();
                }
                finally
                {
                    lock (gate)
                    {
                        task.Value = task.MaxValue;
                        task.StopTask();
                        task = null;
                    }
                }
            });
    }

    public void Report(TrainingProgress value)
    {
        if (value.CompletedEpoch is { } e)
        {
            AnsiConsole.MarkupLine(EpochLine(e, value.Epochs));
            return;
        }
        if (value.Message is not null)
            return; // how training ended is printed after Fit returns
        lock (gate)
        {
            if (task is null) return;
            if (value.Epoch != epoch)
            {
                epoch = value.Epoch;
                task.Value = 0;
            }
            string loss = double.IsNaN(value.RunningLoss) ? "–" : value.RunningLoss.ToString("F4");
            task.Description = $"epoch {value.Epoch + 1}/{value.Epochs}  batch {value.Batch}  loss {loss}";
            task.Value = Math.Min(value.ItemsProcessed, itemsPerEpoch);
        }
    }

    /// <summary>One epoch as a line: training loss and accuracy, validation loss and accuracy, time.</summary>
    public static string EpochLine(EpochMetrics e, int epochs)
    {
        string width = epochs.ToString().Length.ToString();
        string number = string.Format($"{{0,{width}}}/{{1}}", e.Epoch + 1, epochs);
        string train = $"train loss {e.TrainLoss:F3} acc {Accuracy(e.TrainMetrics)}";
        string valid = e.ValidationLoss is double vl ? $" │ val loss {vl:F3} acc {Accuracy(e.ValidationMetrics)}" : "";
        string best = e.IsBest ? " [green]best[/]" : "";
        return $"epoch {number}  {train}{valid} [grey]│ {e.Duration.TotalSeconds:F1}s[/]{best}";
    }

    private static string Accuracy(IReadOnlyDictionary<string, double> metrics) =>
        metrics.TryGetValue("accuracy", out double a) ? $"{a * 100,5:F1}%" : "    –";
}
