namespace RnnMl.Onnx;

/// <summary>One forecast of <see cref="OnnxForecaster"/>: the next H steps of every channel, with its interval when the
/// model has a quantile head.</summary>
/// <remarks>Shapes: H horizon steps, C channels, Q quantile levels.</remarks>
public sealed class OnnxForecast
{
    internal OnnxForecast(float[,] point, float[,,] quantiles, IReadOnlyList<double> levels)
    {
        (Point, Quantiles, Levels) = (point, quantiles, levels);
        int q = quantiles.GetLength(2);
        if (q == 0) return;
        int h = point.GetLength(0), c = point.GetLength(1);
        Lower = new float[h, c];
        Upper = new float[h, c];
        for (int t = 0; t < h; t++)
            for (int k = 0; k < c; k++)
                (Lower[t, k], Upper[t, k]) = (quantiles[t, k, 0], quantiles[t, k, q - 1]);
    }

    /// <summary>The point forecast (H, C), in the series' units.</summary>
    public float[,] Point { get; }

    /// <summary>The quantile forecasts (H, C, Q) at <see cref="Levels"/>; Q = 0 without a quantile head.</summary>
    public float[,,] Quantiles { get; }

    /// <summary>The quantile levels τ_1 &lt; … &lt; τ_Q.</summary>
    public IReadOnlyList<double> Levels { get; }

    /// <summary>The lower bound (H, C): the quantile at the lowest level τ_1; null without a quantile head.</summary>
    public float[,]? Lower { get; }

    /// <summary>The upper bound (H, C): the quantile at the highest level τ_Q; null without a quantile head.</summary>
    public float[,]? Upper { get; }
}
