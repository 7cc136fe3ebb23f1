using RnnMl.Text;

namespace RnnMl.Torch.Decoding;

/// <summary>Picks one token from a row of logits as <see cref="SamplingOptions"/> says (temperature, top-k, top-p), on the CPU with a caller's <see cref="Random"/>.</summary>
public static class TokenSampler
{
    /// <summary>The chosen token id.</summary>
    /// <param name="logits">Unnormalised scores of the V tokens; V at least 3 (ids 0 and 1, padding and unknown, are never chosen).</param>
    /// <param name="options">How to choose; not validated here (see <see cref="SamplingOptions.Validate"/>).</param>
    /// <param name="random">The draws; unused for greedy decoding.</param>
    /// <exception cref="ArgumentException">Fewer than 3 logits.</exception>
    public static int Choose(ReadOnlySpan<float> logits, SamplingOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        const int first = Vocabulary.UnknownId + 1;
        if (logits.Length <= first)
            throw new ArgumentException($"there must be logits for at least {first + 1} tokens (padding and unknown are never chosen), got {logits.Length}", nameof(logits));
        int best = first;
        for (int i = first + 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        if (options.IsGreedy) return best;

        // Probabilities in double, relative to the best logit so that small temperatures cannot overflow.
        int v = logits.Length - first;
        var order = new int[v];
        var p = new double[v];
        double max = logits[best];
        for (int i = 0; i < v; i++)
        {
            order[i] = i;
            p[i] = Math.Exp((logits[first + i] - max) / options.Temperature);
        }
        if (options.TopK is null && options.TopP >= 1)
            return first + Draw(p, null, v, p.Sum(), random);
        // Most probable first, lower id first on ties (a stable order, so the same logits always give the same cut).
        Array.Sort(order, (a, b) => p[a] != p[b] ? p[b].CompareTo(p[a]) : a.CompareTo(b));
        int keep = Math.Min(v, options.TopK ?? v);
        double total = 0;
        for (int i = 0; i < keep; i++) total += p[order[i]];
        if (options.TopP < 1)
        {
            double cumulative = 0;
            for (int i = 0; i < keep; i++)
            {
                cumulative += p[order[i]];
                if (cumulative >= options.TopP * total) { keep = i + 1; total = cumulative; break; }
            }
        }
        return first + Draw(p, order, keep, total, random);
    }

    /// <summary>Draws one of the first <paramref name="count"/> entries of <paramref name="order"/> (or of 0…count−1), with weights p.</summary>
    private static int Draw(double[] p, int[]? order, int count, double total, Random random)
    {
        double u = random.NextDouble() * total;
        for (int i = 0; i < count; i++)
        {
            int j = order is null ? i : order[i];
            u -= p[j];
            if (u < 0) return j;
        }
        return order is null ? count - 1 : order[count - 1];
    }
}
