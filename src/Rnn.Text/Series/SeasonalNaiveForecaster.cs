namespace RnnMl.Text.Series;

/// <summary>The seasonal-naive baseline: the last observed season of length p, repeated.</summary>
/// <remarks>ŷ_{t+h,c} = x_{t+h−p·⌈h/p⌉, c} for h = 1..H; needs L ≥ p.</remarks>
public sealed class SeasonalNaiveForecaster : IPointForecaster
{
    private SeasonalNaiveForecaster(int period) => Period = period;

    /// <summary>p, the season length in steps.</summary>
    public int Period { get; }

    /// <summary>The baseline with season length <paramref name="period"/> ≥ 1 (e.g. 24 for hourly data with a daily cycle).</summary>
    public static SeasonalNaiveForecaster Create(int period)
    {
        if (period < 1) throw new ArgumentOutOfRangeException(nameof(period), period, "period p must be ≥ 1");
        return new SeasonalNaiveForecaster(period);
    }

    /// <inheritdoc/>
    public int MinLookback => Period;

    /// <inheritdoc/>
    public void Forecast(ReadOnlySpan<double> input, int channels, Span<double> forecast)
    {
        ForecastShapes.Check(input, channels, forecast, MinLookback, out int lookback, out int horizon);
        for (int h = 0; h < horizon; h++)
        {
            int source = lookback - Period + h % Period;
            input.Slice(source * channels, channels).CopyTo(forecast.Slice(h * channels, channels));
        }
    }
}
