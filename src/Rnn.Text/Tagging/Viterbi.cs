namespace RnnMl.Text.Tagging;

/// <summary>
/// Viterbi decoding of a linear-chain CRF in plain C# (no torch), shared by the TorchSharp model and ONNX inference so
/// both return the same tags.
/// </summary>
/// <remarks>
/// For a sequence of length T' with emissions e (T', K), start s, end f and transitions A (A[i, j] scores tag j after
/// tag i), the score of tags y is s[y₀] + Σₜ e[t, yₜ] + Σₜ₌₁ A[yₜ₋₁, yₜ] + f[y_{T'−1}]. Viterbi keeps
/// δₜ(j) = maxᵢ (δₜ₋₁(i) + A[i, j]) + e[t, j] with δ₀ = s + e₀ and back-pointers; the best path ends at
/// argmaxⱼ δ_{T'−1}(j) + f[j]. Ties go to the lowest tag id. O(T'·K²) time.
/// </remarks>
public static class Viterbi
{
    /// <summary>The highest-scoring tag sequence of one sequence and its score.</summary>
    /// <param name="emissions">Row-major (T', K) emission scores; its length is <paramref name="length"/>·K.</param>
    /// <param name="length">T', the number of steps; 0 gives an empty path with score 0.</param>
    /// <param name="start">(K) start scores (already constrained, if constraints apply).</param>
    /// <param name="end">(K) end scores.</param>
    /// <param name="transitions">(K·K) row-major transition scores: [i·K + j] scores tag j after tag i.</param>
    /// <returns>The tags (T') and the path score.</returns>
    /// <exception cref="ArgumentException">A size does not match.</exception>
    public static (long[] Tags, double Score) Decode(ReadOnlySpan<double> emissions, int length,
        ReadOnlySpan<double> start, ReadOnlySpan<double> end, ReadOnlySpan<double> transitions)
    {
        int k = start.Length;
        if (k < 1)
            throw new ArgumentException("start must have K ≥ 1 entries, got 0", nameof(start));
        if (end.Length != k)
            throw new ArgumentException($"end must have K = {k} entries, got {end.Length}", nameof(end));
        if (transitions.Length != k * k)
            throw new ArgumentException($"transitions must have K·K = {k * k} entries, got {transitions.Length}", nameof(transitions));
        if (length < 0)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"length must be at least 0, got {length}");
        if (emissions.Length != length * k)
            throw new ArgumentException($"emissions must have length·K = {length}·{k} = {length * k} entries, got {emissions.Length}", nameof(emissions));
        if (length == 0) return (Array.Empty<long>(), 0);

        var delta = new double[k];
        var next = new double[k];
        var back = new int[length * k];
        for (int j = 0; j < k; j++) delta[j] = start[j] + emissions[j];
        for (int t = 1; t < length; t++)
        {
            for (int j = 0; j < k; j++)
            {
                double best = double.NegativeInfinity;
                int arg = 0;
                for (int i = 0; i < k; i++)
                {
                    double v = delta[i] + transitions[i * k + j];
                    if (v > best) { best = v; arg = i; }
                }
                next[j] = best + emissions[t * k + j];
                back[t * k + j] = arg;
            }
            (delta, next) = (next, delta);
        }
        double score = double.NegativeInfinity;
        int last = 0;
        for (int j = 0; j < k; j++)
        {
            double v = delta[j] + end[j];
            if (v > score) { score = v; last = j; }
        }
        var tags = new long[length];
        tags[length - 1] = last;
        for (int t = length - 1; t > 0; t--)
            tags[t - 1] = back[t * k + (int)tags[t]];
        return (tags, score);
    }
}
