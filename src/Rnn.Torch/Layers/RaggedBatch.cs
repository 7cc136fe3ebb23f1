using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// Index tensors for a right-padded batch of T steps with per-sequence lengths, shared by every slot of one forward
/// call: the per-sequence reversal (built at first use: unidirectional layers never need it) and the lengths.
/// </summary>
internal sealed class RaggedBatch
{
    private readonly Device device;
    private Tensor? reverseIndex;            // (T, N, 1) int64: t < len ? len − 1 − t : t (an involution)
    private Tensor? cpuLengths;              // (N) int64 on the CPU, built for the packed path only

    /// <param name="lens">(N) lengths, each in [1, T], not all T.</param>
    /// <param name="steps">T.</param>
    /// <param name="device">Where the index tensors live (the input's device).</param>
    public RaggedBatch(long[] lens, long steps, Device device)
    {
        this.device = device;
        Lengths = lens;
        Steps = steps;
        MaxLength = lens.Max();
    }

    public long[] Lengths { get; }

    /// <summary>T, the padded length.</summary>
    public long Steps { get; }

    public long MaxLength { get; }

    /// <summary>(N) int64 lengths on the CPU, for pack_padded_sequence.</summary>
    public Tensor CpuLengths => cpuLengths ??= tensor(Lengths, ScalarType.Int64);

    /// <summary>Reverses each sequence of <paramref name="x"/> (T, N, F) within its own length; padded steps stay put.
    /// Applying it twice gives <paramref name="x"/> back.</summary>
    public Tensor ReverseWithinLengths(Tensor x)
    {
        if (reverseIndex is null)
        {
            long n = Lengths.Length;
            var reverse = new long[Steps * n];
            for (long t = 0; t < Steps; t++)
                for (long i = 0; i < n; i++)
                    reverse[t * n + i] = t < Lengths[i] ? Lengths[i] - 1 - t : t;
            reverseIndex = tensor(reverse, [Steps, n, 1], ScalarType.Int64, device);
        }
        return x.gather(0, reverseIndex.expand(x.shape[0], x.shape[1], x.shape[2]));
    }
}
