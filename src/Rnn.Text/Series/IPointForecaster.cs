namespace RnnMl.Text.Series;

/// <summary>Forecasts the next H steps of every channel from the last L steps (a point forecast, no interval).</summary>
public interface IPointForecaster
{
    /// <summary>The smallest lookback L the forecaster accepts.</summary>
    int MinLookback { get; }

    /// <summary>Writes the forecast of shape (H, C) row-major into <paramref name="forecast"/>.</summary>
    /// <param name="input">The last L steps, shape (L, C) row-major, oldest first.</param>
    /// <param name="channels">C ≥ 1.</param>
    /// <param name="forecast">H·C values, shape (H, C) row-major.</param>
    void Forecast(ReadOnlySpan<double> input, int channels, Span<double> forecast);
}
