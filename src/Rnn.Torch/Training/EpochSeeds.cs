namespace RnnMl.Torch.Training;

/// <summary>
/// The per-epoch random streams of a run, derived from <see cref="TrainerOptions.Seed"/> and the epoch alone, so that no
/// epoch's randomness depends on the epochs before it (which is what makes a resumed run equal a straight one).
/// </summary>
internal static class EpochSeeds
{
    /// <summary>Which of the per-epoch random streams a seed is for.</summary>
    private enum Stream { Torch = 0, Task = 1 }

    /// <summary>The seed for torch's generator at the start of <paramref name="epoch"/>.</summary>
    public static long Torch(int seed, int epoch) => (long)(Mixed(seed, epoch, Stream.Torch) >> 1);

    /// <summary>The task's <see cref="Random"/> (shuffling) for <paramref name="epoch"/>.</summary>
    public static Random Task(int seed, int epoch) => new((int)(Mixed(seed, epoch, Stream.Task) >> 33));

    /// <summary>A seed for epoch <paramref name="epoch"/> from the run's seed alone (SplitMix64 finaliser, so nearby seeds and epochs give unrelated streams).</summary>
    private static ulong Mixed(int seed, int epoch, Stream stream)
    {
        static ulong Mix(ulong x)
        {
            x += 0x9E3779B97F4A7C15UL;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }
        return Mix(Mix((ulong)(uint)seed) ^ ((ulong)(uint)epoch << 1 | (ulong)stream));
    }
}
