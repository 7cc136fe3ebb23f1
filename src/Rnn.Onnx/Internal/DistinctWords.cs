namespace RnnMl.Onnx.Internal;

/// <summary>The distinct words (as character-id rows) of a batch of sentences, for a tagger graph that encodes each word once.</summary>
internal static class DistinctWords
{
    /// <summary>The distinct words, 0-padded to the longest, and for each token its row.</summary>
    /// <param name="characters">N sentences of per-token character ids (already checked).</param>
    /// <param name="steps">T, the padded sentence length.</param>
    /// <returns>The words (W ≥ 1 rows of width C ≥ 1, row-major; with no token at all, one all-padding row) and the
    /// (N, T) row of each token, row-major, 0 at padded steps.</returns>
    public static (Rows Words, long[] Index) Of(IReadOnlyList<long[][]> characters, long steps)
    {
        var rows = new Dictionary<long[], long>(ContentComparer.Instance);
        var index = new long[characters.Count * steps];
        int width = 1;
        for (int i = 0; i < characters.Count; i++)
            for (int j = 0; j < characters[i].Length; j++)
            {
                var word = characters[i][j];
                if (!rows.TryGetValue(word, out var row))
                {
                    rows.Add(word, row = rows.Count);
                    width = Math.Max(width, word.Length);
                }
                index[i * steps + j] = row;
            }
        if (rows.Count == 0) rows.Add(Array.Empty<long>(), 0);
        var flat = new long[rows.Count * width];
        foreach (var (word, row) in rows) Array.Copy(word, 0, flat, row * width, word.Length);
        return (new Rows(flat, rows.Count, width), index);
    }

    /// <summary>W rows of C character ids, row-major.</summary>
    public sealed record Rows(long[] Characters, long Count, long Width);

    private sealed class ContentComparer : IEqualityComparer<long[]>
    {
        public static readonly ContentComparer Instance = new();

        public bool Equals(long[]? x, long[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(long[] word)
        {
            var hash = new HashCode();
            foreach (var id in word) hash.Add(id);
            return hash.ToHashCode();
        }
    }
}
