using static TorchSharp.torch;

namespace RnnMl.Torch.Forecasting;

/// <summary>
/// Split-conformal calibration of a forecaster's interval: the factor s by which the distances from the point forecast to
/// the outermost quantiles are scaled so that the interval covers a given share of held-out truths.
/// </summary>
/// <remarks>
/// For an element with point p, bounds lo ≤ p ≤ hi and truth y, the smallest covering factor is
/// r = (y − p)/(hi − p) when y ≥ p, else (p − y)/(p − lo) (0 when y = p; +∞ when the needed side has zero width). With
/// n held-out elements, s is the ⌈(n + 1)·c⌉-th smallest r (the split-conformal quantile for coverage c); the calibrated
/// bounds are p + s·(q − p) (<see cref="SegmentRecurrentForecaster.IntervalScale"/>). Held-out and future errors must be
/// alike for the guarantee to carry over; on a drifting series it does not.
/// </remarks>
public static class IntervalCalibration
{
    /// <summary>The covering factor r of every element.</summary>
    /// <param name="point">(…) point forecasts.</param>
    /// <param name="quantiles">(…, Q) quantile forecasts, Q ≥ 2; the first and last are the bounds.</param>
    /// <param name="truth">(…) truths.</param>
    /// <returns>r per element, float64 on the CPU.</returns>
    /// <exception cref="ArgumentException">The shapes do not match, naming them.</exception>
    public static double[] CoveringFactors(Tensor point, Tensor quantiles, Tensor truth)
    {
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(quantiles);
        ArgumentNullException.ThrowIfNull(truth);
        if (!point.shape.SequenceEqual(truth.shape) || quantiles.dim() != point.dim() + 1 || !quantiles.shape[..^1].SequenceEqual(point.shape) || quantiles.shape[^1] < 2)
            throw new ArgumentException($"point [{string.Join(", ", point.shape)}], quantiles [{string.Join(", ", quantiles.shape)}] and truth [{string.Join(", ", truth.shape)}] must be (…), (…, Q ≥ 2) and (…)", nameof(quantiles));
        using var scope = NewDisposeScope();
        var p = point.to(ScalarType.Float64).cpu();
        var y = truth.to(ScalarType.Float64).cpu();
        var q = quantiles.to(ScalarType.Float64).cpu();
        var above = y >= p;
        var distance = (y - p).abs();
        var width = where(above, q[TensorIndex.Ellipsis, -1] - p, p - q[TensorIndex.Ellipsis, 0]);
        var r = where(distance == 0, zeros_like(distance), where(width > 0, distance / width.clamp_min(1e-300), full_like(distance, double.PositiveInfinity)));
        return r.contiguous().data<double>().ToArray();
    }

    /// <summary>The split-conformal factor for coverage <paramref name="level"/>: the ⌈(n + 1)·c⌉-th smallest covering factor
    /// (the largest when that exceeds n).</summary>
    /// <param name="factors">Covering factors of n ≥ 1 held-out elements (<see cref="CoveringFactors"/>).</param>
    /// <param name="level">c in (0, 1).</param>
    /// <exception cref="ArgumentException">No factors, or c outside (0, 1).</exception>
    public static double Scale(IReadOnlyCollection<double> factors, double level)
    {
        ArgumentNullException.ThrowIfNull(factors);
        if (factors.Count == 0) throw new ArgumentException("at least one held-out element is needed", nameof(factors));
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "coverage must be in (0, 1)");
        var sorted = factors.Order().ToArray();
        int rank = (int)Math.Min(sorted.Length, Math.Ceiling((sorted.Length + 1) * level));
        return sorted[rank - 1];
    }
}
