namespace RnnMl.Text;

/// <summary>
/// Token-id sequences padded into one row-major (N, T) array with <see cref="Vocabulary.PaddingId"/>, and their lengths:
/// the batch layout every RnnMl model reads, on the TorchSharp side (<c>TokenBatch</c>) and the ONNX side alike.
/// </summary>
/// <remarks>An empty sequence becomes a single padding step of length 1, so every sequence has at least one step (the
/// model then sees "nothing"). T is the longest length.</remarks>
public sealed class PaddedBatch
{
    private PaddedBatch(long[] ids, long[] lengths, long steps)
    {
        Ids = ids;
        Lengths = lengths;
        Steps = steps;
    }

    /// <summary>Pads <paramref name="sequences"/> to the longest one.</summary>
    /// <param name="sequences">Token ids, N ≥ 1 sequences.</param>
    /// <param name="maxLength">Sequences longer than this are cut to their first <paramref name="maxLength"/> ids; null for no limit.</param>
    /// <exception cref="ArgumentException">No sequences, a null sequence (named by index), or <paramref name="maxLength"/> below 1.</exception>
    public static PaddedBatch Pad(IReadOnlyList<long[]> sequences, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0)
            throw new ArgumentException("a batch needs at least one sequence, got 0", nameof(sequences));
        if (maxLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"maximum length must be at least 1, got {maxLength}");
        int n = sequences.Count;
        var lengths = new long[n];
        for (int i = 0; i < n; i++)
        {
            var s = sequences[i] ?? throw new ArgumentNullException(nameof(sequences), $"sequence {i} is null");
            lengths[i] = Math.Max(1, Math.Min(s.Length, maxLength ?? int.MaxValue));
        }
        long t = lengths.Max();
        var ids = new long[n * t];
        for (int i = 0; i < n; i++)
            Array.Copy(sequences[i], 0, ids, i * t, Math.Min(sequences[i].Length, lengths[i]));
        return new PaddedBatch(ids, lengths, t);
    }

    /// <summary>The ids (N, T), row-major, padded with <see cref="Vocabulary.PaddingId"/>.</summary>
    public long[] Ids { get; }

    /// <summary>The lengths (N), each in [1, T].</summary>
    public long[] Lengths { get; }

    /// <summary>N, the number of sequences.</summary>
    public int Count => Lengths.Length;

    /// <summary>T, the padded length.</summary>
    public long Steps { get; }

    /// <summary>The shape of <see cref="Ids"/>: { N, T }.</summary>
    public long[] Shape => new[] { (long)Count, Steps };
}
