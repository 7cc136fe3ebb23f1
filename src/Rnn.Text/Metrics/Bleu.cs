namespace RnnMl.Text.Metrics;

/// <summary>
/// Corpus BLEU-4 (Papineni et al., 2002) computed as sacreBLEU computes it by default: mteval-v13a tokenisation
/// (<see cref="Mteval13aTokenizer"/>), case-sensitive unless asked, n-gram orders 1–4, brevity penalty, and the
/// "exp" smoothing of mteval-v13a for orders without matches.
/// </summary>
/// <remarks>
/// Counts are summed over the corpus: for each n, matches = Σ min(count in hypothesis, max count in any reference)
/// and totals = Σ hypothesis n-grams; c = Σ hypothesis lengths, r = Σ (per segment) the reference length closest to
/// the hypothesis length, the shorter one on ties. p_n = 100·matches/totals, except that the k-th order with zero
/// matches gets p_n = 100 / (2^k · totals) ("exp" smoothing). BLEU = BP · exp(¼ Σ ln p_n), BP = exp(1 − r/c) if
/// c &lt; r else 1. BLEU is 0 when nothing matches at all, and when the hypotheses hold no n-grams of some order
/// (for example, every hypothesis shorter than 4 tokens), as in sacreBLEU.
/// </remarks>
public static class Bleu
{
    /// <summary>The highest n-gram order, 4.</summary>
    public const int MaxOrder = 4;

    /// <summary>Corpus BLEU of <paramref name="hypotheses"/> against one reference each, on the 0–100 scale.</summary>
    /// <param name="hypotheses">System outputs, one per segment (detokenised text).</param>
    /// <param name="references">References, aligned with <paramref name="hypotheses"/>.</param>
    /// <param name="lowercase">Lower-case both sides first (sacreBLEU's <c>-lc</c>); default false.</param>
    /// <exception cref="ArgumentException">The two lists differ in length, or are empty.</exception>
    public static double Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references, bool lowercase = false)
        => Score(hypotheses, references, lowercase).Score;

    /// <summary>Corpus BLEU with its statistics, against one reference per segment.</summary>
    /// <inheritdoc cref="Corpus(IReadOnlyList{string}, IReadOnlyList{string}, bool)"/>
    public static BleuScore Score(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references, bool lowercase = false)
    {
        ArgumentNullException.ThrowIfNull(references);
        return Score(hypotheses, new[] { references }, lowercase);
    }

    /// <summary>Corpus BLEU with its statistics, against several reference streams (each aligned with the hypotheses).</summary>
    /// <param name="hypotheses">System outputs, one per segment.</param>
    /// <param name="referenceStreams">One or more reference lists, each as long as <paramref name="hypotheses"/>.</param>
    /// <param name="lowercase">Lower-case both sides first; default false.</param>
    /// <exception cref="ArgumentException">No streams, or a stream whose length differs from the hypotheses', or no segments.</exception>
    public static BleuScore Score(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> referenceStreams, bool lowercase = false)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(referenceStreams);
        if (hypotheses.Count == 0)
            throw new ArgumentException("BLEU needs at least one hypothesis, got 0", nameof(hypotheses));
        if (referenceStreams.Count == 0)
            throw new ArgumentException("BLEU needs at least one reference stream, got 0", nameof(referenceStreams));
        for (int s = 0; s < referenceStreams.Count; s++)
            if (referenceStreams[s] is null || referenceStreams[s].Count != hypotheses.Count)
                throw new ArgumentException($"reference stream {s} must have {hypotheses.Count} segments (one per hypothesis), got {referenceStreams[s]?.Count ?? 0}", nameof(referenceStreams));

        var correct = new long[MaxOrder];
        var total = new long[MaxOrder];
        long hypothesisLength = 0, referenceLength = 0;
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var hyp = Prepare(hypotheses[i] ?? throw new ArgumentException($"hypothesis {i} is null", nameof(hypotheses)), lowercase);
            var maxRefCounts = new Dictionary<string, int>(StringComparer.Ordinal);
            int closest = -1;
            foreach (var stream in referenceStreams)
            {
                var reference = Prepare(stream[i] ?? throw new ArgumentException($"reference {i} is null", nameof(referenceStreams)), lowercase);
                foreach (var (gram, count) in NGrams(reference))
                    if (!maxRefCounts.TryGetValue(gram, out var c) || count > c) maxRefCounts[gram] = count;
                int diff = Math.Abs(hyp.Length - reference.Length);
                int best = closest < 0 ? int.MaxValue : Math.Abs(hyp.Length - closest);
                if (closest < 0 || diff < best || (diff == best && reference.Length < closest)) closest = reference.Length;
            }
            hypothesisLength += hyp.Length;
            referenceLength += closest;
            foreach (var (gram, count) in NGrams(hyp))
            {
                int n = Order(gram);
                total[n - 1] += count;
                if (maxRefCounts.TryGetValue(gram, out var refCount)) correct[n - 1] += Math.Min(count, refCount);
            }
        }
        return FromStatistics(correct, total, hypothesisLength, referenceLength);
    }

    /// <summary>BLEU from its sufficient statistics (sacreBLEU's <c>compute_bleu</c> with "exp" smoothing).</summary>
    /// <param name="correct">Clipped n-gram matches for n = 1..4.</param>
    /// <param name="total">Hypothesis n-grams for n = 1..4.</param>
    /// <param name="hypothesisLength">c, hypothesis tokens.</param>
    /// <param name="referenceLength">r, reference tokens.</param>
    public static BleuScore FromStatistics(IReadOnlyList<long> correct, IReadOnlyList<long> total, long hypothesisLength, long referenceLength)
    {
        ArgumentNullException.ThrowIfNull(correct);
        ArgumentNullException.ThrowIfNull(total);
        if (correct.Count != MaxOrder) throw new ArgumentException($"correct must have {MaxOrder} counts, got {correct.Count}", nameof(correct));
        if (total.Count != MaxOrder) throw new ArgumentException($"total must have {MaxOrder} counts, got {total.Count}", nameof(total));
        double bp = hypothesisLength < referenceLength
            ? (hypothesisLength > 0 ? Math.Exp(1 - (double)referenceLength / hypothesisLength) : 0.0)
            : 1.0;
        var precisions = new double[MaxOrder];
        if (correct.All(c => c == 0))
            return new BleuScore(0.0, precisions, bp, hypothesisLength, referenceLength);
        double smooth = 1.0;
        for (int n = 0; n < MaxOrder; n++)
        {
            if (total[n] == 0) break;
            if (correct[n] == 0)
            {
                smooth *= 2;
                precisions[n] = 100.0 / (smooth * total[n]);
            }
            else precisions[n] = 100.0 * correct[n] / total[n];
        }
        // An order with no hypothesis n-grams keeps precision 0, which makes BLEU 0 (sacreBLEU logs it as -1e10).
        double logSum = precisions.Sum(p => p > 0 ? Math.Log(p) : -9999999999.0);
        return new BleuScore(bp * Math.Exp(logSum / MaxOrder), precisions, bp, hypothesisLength, referenceLength);
    }

    private static string[] Prepare(string segment, bool lowercase)
        => Mteval13aTokenizer.Tokens(lowercase ? segment.ToLowerInvariant() : segment);

    // Tokens never contain white space (the tokenizer splits on it), so an n-gram is unambiguously its tokens
    // joined by single spaces, and its order is one more than its spaces.
    private const char Separator = ' ';

    private static Dictionary<string, int> NGrams(string[] tokens)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int n = 1; n <= MaxOrder; n++)
            for (int i = 0; i + n <= tokens.Length; i++)
            {
                var gram = string.Join(Separator, tokens, i, n);
                counts[gram] = counts.TryGetValue(gram, out var c) ? c + 1 : 1;
            }
        return counts;
    }

    private static int Order(string gram) => gram.Count(ch => ch == Separator) + 1;
}
