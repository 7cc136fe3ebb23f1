using System.Text;

namespace RnnMl.Text.Metrics;

/// <summary>
/// Corpus chrF (Popović, 2015) as sacreBLEU computes it by default: character n-grams of orders 1–6 with white space
/// removed, β = 2, statistics summed over the corpus, on the 0–100 scale.
/// </summary>
/// <remarks>
/// For each order n, with the hypothesis and reference n-gram counts summed over segments and matches = Σ min(counts):
/// P_n = matches / hypothesis n-grams and R_n = matches / reference n-grams, for the orders where both sides have
/// n-grams. P and R are the averages of P_n and R_n over those orders, and chrF = 100 · (1 + β²)·P·R / (β²·P + R),
/// or 0 when P + R = 0. Characters are Unicode code points, as in Python.
/// </remarks>
public static class ChrF
{
    /// <summary>The highest character n-gram order, 6.</summary>
    public const int MaxOrder = 6;

    /// <summary>β: recall weighs β times as much as precision; 2.</summary>
    public const double Beta = 2.0;

    /// <summary>Corpus chrF of <paramref name="hypotheses"/> against one reference each, on the 0–100 scale.</summary>
    /// <param name="hypotheses">System outputs, one per segment.</param>
    /// <param name="references">References, aligned with <paramref name="hypotheses"/>.</param>
    /// <param name="lowercase">Lower-case both sides first; default false (sacreBLEU's default).</param>
    /// <exception cref="ArgumentException">The two lists differ in length, or are empty.</exception>
    public static double Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references, bool lowercase = false)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(references);
        if (hypotheses.Count == 0)
            throw new ArgumentException("chrF needs at least one hypothesis, got 0", nameof(hypotheses));
        if (references.Count != hypotheses.Count)
            throw new ArgumentException($"references must have {hypotheses.Count} segments (one per hypothesis), got {references.Count}", nameof(references));
        var stats = new long[MaxOrder, 3];
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var hyp = CodePoints(hypotheses[i] ?? throw new ArgumentException($"hypothesis {i} is null", nameof(hypotheses)), lowercase);
            var reference = CodePoints(references[i] ?? throw new ArgumentException($"reference {i} is null", nameof(references)), lowercase);
            for (int n = 1; n <= MaxOrder; n++)
            {
                var h = NGrams(hyp, n);
                var r = NGrams(reference, n);
                long matches = 0;
                foreach (var (gram, count) in h)
                    if (r.TryGetValue(gram, out var rc)) matches += Math.Min(count, rc);
                stats[n - 1, 0] += Math.Max(0, hyp.Length - n + 1);
                stats[n - 1, 1] += Math.Max(0, reference.Length - n + 1);
                stats[n - 1, 2] += matches;
            }
        }
        double precision = 0, recall = 0;
        int effective = 0;
        for (int n = 0; n < MaxOrder; n++)
        {
            if (stats[n, 0] > 0 && stats[n, 1] > 0)
            {
                precision += (double)stats[n, 2] / stats[n, 0];
                recall += (double)stats[n, 2] / stats[n, 1];
                effective++;
            }
        }
        if (effective == 0) return 0.0;
        precision /= effective;
        recall /= effective;
        if (precision + recall == 0) return 0.0;
        double b2 = Beta * Beta;
        return 100.0 * (1 + b2) * precision * recall / (b2 * precision + recall);
    }

    private static string[] CodePoints(string segment, bool lowercase)
    {
        var s = lowercase ? segment.ToLowerInvariant() : segment;
        var points = new List<string>(s.Length);
        foreach (var rune in s.EnumerateRunes())
        {
            if (rune.IsBmp && Mteval13aTokenizer.IsPythonWhiteSpace((char)rune.Value)) continue;
            points.Add(rune.ToString());
        }
        return points.ToArray();
    }

    private static Dictionary<string, int> NGrams(string[] points, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var sb = new StringBuilder();
        for (int i = 0; i + n <= points.Length; i++)
        {
            sb.Clear();
            for (int k = 0; k < n; k++) sb.Append(points[i + k]);
            var gram = sb.ToString();
            counts[gram] = counts.TryGetValue(gram, out var c) ? c + 1 : 1;
        }
        return counts;
    }
}
