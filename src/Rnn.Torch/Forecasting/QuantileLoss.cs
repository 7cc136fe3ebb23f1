using static TorchSharp.torch;

namespace RnnMl.Torch.Forecasting;

/// <summary>The pinball (quantile) loss that trains a forecaster's quantile head, and the checks of a quantile list.</summary>
/// <remarks>
/// For quantile level τ ∈ (0, 1), forecast q and truth y, with u = y − q: ρ_τ(u) = max(τ·u, (τ − 1)·u), i.e. τ·u when
/// the truth lies above the forecast and (1 − τ)·|u| when below. Its expectation over y is minimised by the τ-quantile of
/// y, so the minimiser of the mean pinball loss over training windows is a conditional quantile forecast. At u = 0 the
/// (sub)gradient used is that of the branch torch's <c>maximum</c> picks.
/// </remarks>
public static class QuantileLoss
{
    /// <summary>Checks a list of quantile levels: at least one, each in (0, 1), strictly increasing.</summary>
    /// <param name="quantiles">The levels.</param>
    /// <param name="parameterName">Named in the exception.</param>
    /// <returns>A copy of the levels.</returns>
    /// <exception cref="ArgumentException">Empty, out of (0, 1), or not strictly increasing; naming the position and value.</exception>
    public static double[] CheckLevels(IReadOnlyList<double> quantiles, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(quantiles, parameterName);
        if (quantiles.Count == 0) throw new ArgumentException("at least one quantile level is needed", parameterName);
        var levels = quantiles.ToArray();
        for (int i = 0; i < levels.Length; i++)
        {
            if (!(levels[i] > 0 && levels[i] < 1))
                throw new ArgumentOutOfRangeException(parameterName, levels[i], $"quantile level {i} must be in (0, 1), got {levels[i]}");
            if (i > 0 && !(levels[i] > levels[i - 1]))
                throw new ArgumentException($"quantile levels must increase strictly: level {i} is {levels[i]}, level {i - 1} is {levels[i - 1]}", parameterName);
        }
        return levels;
    }

    /// <summary>The mean pinball loss over every element and quantile level.</summary>
    /// <param name="forecast">(…, Q) quantile forecasts, the last dimension following <paramref name="quantiles"/>.</param>
    /// <param name="target">(…) truths, the shape of <paramref name="forecast"/> without its last dimension.</param>
    /// <param name="quantiles">Q levels in (0, 1) (see <see cref="CheckLevels"/>).</param>
    /// <returns>A scalar: (1 / (M·Q)) Σ_{m,j} ρ_{τ_j}(y_m − q_{m,j}), M the number of elements of <paramref name="target"/>.</returns>
    /// <exception cref="ArgumentException">The shapes do not match, naming both.</exception>
    public static Tensor Pinball(Tensor forecast, Tensor target, IReadOnlyList<double> quantiles)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        ArgumentNullException.ThrowIfNull(target);
        var levels = CheckLevels(quantiles, nameof(quantiles));
        var expected = target.shape.Append(levels.Length).ToArray();
        if (!forecast.shape.SequenceEqual(expected))
            throw new ArgumentException(
                $"forecast has shape [{string.Join(", ", forecast.shape)}], expected [{string.Join(", ", expected)}] (the target's shape and Q = {levels.Length})",
                nameof(forecast));
        using var scope = NewDisposeScope();
        using var tau = tensor(levels, dtype: forecast.dtype, device: forecast.device);
        var u = target.unsqueeze(-1) - forecast;
        var loss = maximum(u * tau, u * (tau - 1)).mean();
        return loss.MoveToOuterDisposeScope();
    }
}
