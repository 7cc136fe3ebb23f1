namespace RnnMl.MLNet.Pipeline;

/// <summary>Holds out validation rows when <c>Fit</c> gets no validation data.</summary>
internal static class HoldOut
{
    /// <summary>
    /// Splits <paramref name="rows"/> into training and validation rows, both in their original order: round(n ·
    /// <paramref name="fraction"/>) rows, at least 1 and at most n − 1 (none for a fraction of 0 or a single row), drawn
    /// at random by <paramref name="seed"/>, or the last rows when <paramref name="lastRows"/> (for text read as one stream);
    /// at most <paramref name="maxRows"/> rows when given (a cap on large data: ranking a few epochs needs a fixed number
    /// of rows, not a share, and every row held out is a row not trained on).
    /// </summary>
    public static (List<T> Train, List<T> Valid) Split<T>(List<T> rows, double fraction, int seed, bool lastRows, int? maxRows = null)
    {
        int n = rows.Count;
        int validCount = fraction > 0 && n > 1 ? Math.Clamp((int)Math.Round(n * fraction), 1, n - 1) : 0;
        if (maxRows is { } cap) validCount = Math.Min(validCount, cap);
        if (lastRows)
            return (rows.GetRange(0, n - validCount), rows.GetRange(n - validCount, validCount));
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        var valid = new HashSet<int>(order.Take(validCount));
        var train = new List<T>(n - validCount);
        var held = new List<T>(validCount);
        for (int i = 0; i < n; i++) (valid.Contains(i) ? held : train).Add(rows[i]);
        return (train, held);
    }
}
