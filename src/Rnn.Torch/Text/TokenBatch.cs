using static TorchSharp.torch;
using RnnMl.Text;

namespace RnnMl.Torch.Text;

/// <summary>Pads token-id sequences into one batch tensor.</summary>
public static class TokenBatch
{
    /// <summary>Pads sequences to the longest one. An empty sequence becomes a single <see cref="Vocabulary.PaddingId"/>
    /// step of length 1, so every sequence has at least one step (the model then sees "nothing").</summary>
    /// <param name="sequences">Token ids, N sequences.</param>
    /// <param name="maxLength">Sequences longer than this are cut to their first <paramref name="maxLength"/> tokens; null for no limit.</param>
    /// <param name="device">Where to put the tensors; default CPU.</param>
    /// <returns>Tokens (N, T) int64, batch-first, and lengths (N) int64.</returns>
    /// <exception cref="ArgumentException">No sequences, or <paramref name="maxLength"/> below 1.</exception>
    public static (Tensor Tokens, Tensor Lengths) Pad(IReadOnlyList<long[]> sequences, int? maxLength = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0)
            throw new ArgumentException("a batch needs at least one sequence, got 0", nameof(sequences));
        if (maxLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"maximum length must be at least 1, got {maxLength}");
        int n = sequences.Count;
        var lengths = new long[n];
        for (int i = 0; i < n; i++)
            lengths[i] = Math.Max(1, Math.Min(sequences[i].Length, maxLength ?? int.MaxValue));
        long t = lengths.Max();
        var flat = new long[n * t];
        for (int i = 0; i < n; i++)
        {
            var s = sequences[i];
            long len = Math.Min(s.Length, lengths[i]);
            Array.Copy(s, 0, flat, i * t, len);
        }
        return (tensor(flat, new[] { (long)n, t }, ScalarType.Int64, device), tensor(lengths, ScalarType.Int64, device));
    }
}
