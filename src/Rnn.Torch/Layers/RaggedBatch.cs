using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// Index tensors for a right-padded batch of T steps with per-sequence lengths, shared by every slot of one forward
/// call: the per-sequence reversal (built at first use: unidirectional layers never need it), the valid-step mask (built
/// at first use, for a single segment in the caller's order) and the lengths.
/// </summary>
internal sealed class RaggedBatch
{
    private readonly Device device;
    private Tensor? reverseRows;             // (T·N) int64: row t·N + i of the reversed batch is row (t < len ? len − 1 − t : t)·N + i (an involution)
    private Tensor? cpuLengths;              // (N) int64 on the CPU, built for the packed path only
    private Tensor? validMask;               // (T, N, 1): 1 at valid steps, 0 at padded ones, in the dtype of its first use

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

    /// <summary>(T, N, 1) in <paramref name="dtype"/>: 1 where t &lt; the sequence's length, 0 at padded steps.</summary>
    public Tensor ValidMask(ScalarType dtype)
    {
        if (validMask is null || validMask.dtype != dtype)
        {
            using var lens = tensor(Lengths, ScalarType.Int64, device);
            validMask = arange(Steps, ScalarType.Int64, device).unsqueeze(1).lt(lens.unsqueeze(0)).unsqueeze(2).to(dtype);
        }
        return validMask;
    }

    /// <summary>Reverses each sequence of <paramref name="x"/> (T, N, F) within its own length; padded steps stay put.
    /// Applying it twice gives <paramref name="x"/> back.</summary>
    /// <remarks>One gather of the (T·N, F) rows whose backward is a gather too (<see cref="RowPermutation"/>), not a
    /// gather with an (T, N, F) index: on CPU the backward of either plain gather is a scatter, which made it the
    /// dearest part of a bucketed character-level batch (2.2–2.7 ms forward and backward at T=56, N=64, F=256 with
    /// the (T, N, F) index, 0.7–0.9 ms for the row index_select, 0.3–0.4 ms for a flip).</remarks>
    public Tensor ReverseWithinLengths(Tensor x)
    {
        long n = Lengths.Length, features = x.shape[2];
        if (reverseRows is null)
        {
            var rows = new long[Steps * n];
            for (long t = 0; t < Steps; t++)
                for (long i = 0; i < n; i++)
                    rows[t * n + i] = (t < Lengths[i] ? Lengths[i] - 1 - t : t) * n + i;
            reverseRows = tensor(rows, ScalarType.Int64, device);
        }
        // An involution: the permutation is its own inverse.
        return RowPermutation.Apply(x.reshape(Steps * n, features), 0, reverseRows, reverseRows).view(Steps, n, features);
    }
}
