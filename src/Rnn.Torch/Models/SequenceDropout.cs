using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>
/// The two structured dropouts of AWD-LSTM (Merity et al., 2018) that act on sequences: locked (variational) dropout,
/// one mask per sequence shared by every time step, and embedding dropout, which drops whole word types.
/// </summary>
/// <remarks>
/// Both are identity when <c>training</c> is false or p = 0, and scale kept values by 1 / (1 − p) so that the expected
/// value is unchanged. Masks come from torch's generator, so seeding torch makes them repeatable.
/// </remarks>
public static class SequenceDropout
{
    /// <summary>
    /// Locked dropout: y[n, t, f] = x[n, t, f] · m[n, f] / (1 − p) with m[n, f] ~ Bernoulli(1 − p), the same mask m[n, ·] at
    /// every step t of sequence n. Zeros (such as padded steps) stay zero.
    /// </summary>
    /// <param name="x">(N, T, F) batch-first sequences.</param>
    /// <param name="p">The drop probability, in [0, 1).</param>
    /// <param name="training">Whether to drop; false returns <paramref name="x"/> itself.</param>
    /// <returns>(N, T, F).</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 3-D, or <paramref name="p"/> is outside [0, 1).</exception>
    public static Tensor Locked(Tensor x, double p, bool training)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckProbability(p, nameof(p));
        if (x.dim() != 3)
            throw new ArgumentException($"x must be 3-D (N, T, F), got {x.dim()}-D", nameof(x));
        var mask = LockedMask(x.shape[0], x.shape[2], p, training, x.dtype, x.device);
        return mask is null ? x : x * mask;
    }

    /// <summary>
    /// The mask <see cref="Locked"/> multiplies by, m[n, 0, f] / (1 − p), drawn from torch's generator exactly as
    /// <see cref="Locked"/> draws it; null when <paramref name="training"/> is false or p = 0. For a caller that applies
    /// it after a per-feature mean or maximum over time, which it commutes with (the mask is the same at every step and
    /// never negative).
    /// </summary>
    /// <param name="n">N, the sequences.</param>
    /// <param name="features">F.</param>
    /// <param name="p">The drop probability, in [0, 1).</param>
    /// <param name="training">Whether to drop.</param>
    /// <param name="dtype">The mask's dtype.</param>
    /// <param name="device">The mask's device.</param>
    /// <returns>(N, 1, F), or null.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1).</exception>
    public static Tensor? LockedMask(long n, long features, double p, bool training, ScalarType dtype, Device device)
    {
        CheckProbability(p, nameof(p));
        if (!training || p == 0) return null;
        return empty(new[] { n, 1, features }, dtype, device).bernoulli_(1 - p).div_(1 - p);
    }

    /// <summary>
    /// Embedding dropout: every word type v (row of the embedding table) is kept with probability 1 − p for the whole
    /// batch, y[n, t, ·] = e[n, t, ·] · m[tokens[n, t]] / (1 − p) with m[v] ~ Bernoulli(1 − p); all occurrences of a dropped
    /// word are zero, wherever they are in the batch. Equivalent to dropping rows of the embedding table.
    /// </summary>
    /// <param name="embedded">(N, T, E) the embedded tokens.</param>
    /// <param name="tokens">(N, T) int64 token ids that were embedded.</param>
    /// <param name="vocabularySize">The number of rows of the embedding table; every id is below it.</param>
    /// <param name="p">The drop probability, in [0, 1).</param>
    /// <param name="training">Whether to drop; false returns <paramref name="embedded"/> itself.</param>
    /// <returns>(N, T, E).</returns>
    /// <exception cref="ArgumentException">A shape does not match, or <paramref name="p"/> is outside [0, 1).</exception>
    public static Tensor WordTypes(Tensor embedded, Tensor tokens, long vocabularySize, double p, bool training)
    {
        ArgumentNullException.ThrowIfNull(embedded);
        ArgumentNullException.ThrowIfNull(tokens);
        CheckProbability(p, nameof(p));
        if (embedded.dim() != 3 || tokens.dim() != 2 || embedded.shape[0] != tokens.shape[0] || embedded.shape[1] != tokens.shape[1])
            throw new ArgumentException($"embedded must be (N, T, E) and tokens (N, T), got [{string.Join(", ", embedded.shape)}] and [{string.Join(", ", tokens.shape)}]", nameof(tokens));
        if (vocabularySize < 1)
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, $"vocabulary size must be at least 1, got {vocabularySize}");
        if (!training || p == 0) return embedded;
        var keep = empty(new[] { vocabularySize }, embedded.dtype, embedded.device).bernoulli_(1 - p).div_(1 - p);
        return embedded * keep.index_select(0, tokens.reshape(-1)).reshape(tokens.shape[0], tokens.shape[1], 1);
    }

    private static void CheckProbability(double p, string name)
    {
        if (!(p >= 0 && p < 1))
            throw new ArgumentOutOfRangeException(name, p, $"dropout probability must be in [0, 1), got {p}");
    }
}
