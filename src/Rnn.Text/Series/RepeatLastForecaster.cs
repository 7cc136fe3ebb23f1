namespace RnnMl.Text.Series;

/// <summary>The repeat-last (naive) baseline: every future step of a channel equals its last observed value.</summary>
/// <remarks>ŷ_{t+h,c} = x_{t,c} for h = 1..H.</remarks>
public sealed class RepeatLastForecaster : IPointForecaster
{
    private RepeatLastForecaster() { }

    /// <summary>The baseline (it has no parameters).</summary>
    public static RepeatLastForecaster Create() => new();

    /// <inheritdoc/>
    public int MinLookback => 1;

    /// <inheritdoc/>
    public void Forecast(ReadOnlySpan<double> input, int channels, Span<double> forecast)
    {
        ForecastShapes.Check(input, channels, forecast, MinLookback, out int lookback, out int horizon);
        var last = input.Slice((lookback - 1) * channels, channels);
        for (int h = 0; h < horizon; h++) last.CopyTo(forecast.Slice(h * channels, channels));
    }
}
