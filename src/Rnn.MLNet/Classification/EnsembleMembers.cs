using System.Diagnostics;

namespace RnnMl.MLNet.Classification;

/// <summary>
/// How the members of an ensemble (<see cref="RecurrentTextClassifierOptions.EnsembleSize"/>) are trained in turn: member
/// k's seed, its trainer options (own checkpoint folder, an equal share of the time left), and which members are kept.
/// </summary>
internal sealed class EnsembleMembers
{
    private readonly TrainerOptions first;
    private readonly Stopwatch clock = Stopwatch.StartNew();

    /// <param name="first">The trainer options the fit pipeline made for member 0 (its seed is the Fit's seed).</param>
    /// <param name="size">K, at least 1.</param>
    public EnsembleMembers(TrainerOptions first, int size) => (this.first, Size) = (first, size);

    /// <summary>K.</summary>
    public int Size { get; }

    /// <summary>Member <paramref name="k"/>'s seed: the Fit's seed + k (wrapping around at <see cref="int.MaxValue"/>).</summary>
    public int Seed(int k) => unchecked(first.Seed + k);

    /// <summary>The trainer options of member <paramref name="k"/>; null when the time limit leaves it no time. One member
    /// trains with the pipeline's options unchanged.</summary>
    public TrainerOptions? Options(int k)
    {
        if (Size == 1) return first;
        TimeSpan? share = null;
        if (first.MaxTrainingTime is { } limit)
        {
            var left = limit - clock.Elapsed;
            if (left <= TimeSpan.Zero) return null;
            share = left / (Size - k);
        }
        return first with
        {
            Seed = Seed(k),
            MaxTrainingTime = share,
            CheckpointDirectory = first.CheckpointDirectory is { } dir ? Path.Combine(dir, $"member-{k}") : null,
        };
    }

    /// <summary>Whether a member after the first that ended with <paramref name="result"/> joins the ensemble: if it kept the
    /// weights of a finished epoch (best epoch known) and was not cancelled. The first always joins (it is the classifier a
    /// size of 1 gives).</summary>
    public static bool KeepLater(TrainingResult result)
        => result.BestEpoch >= 0 && result.StopReason != TrainingStopReason.Cancelled;
}
