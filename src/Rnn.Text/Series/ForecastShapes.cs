namespace RnnMl.Text.Series;

/// <summary>Shape checks shared by the <see cref="IPointForecaster"/> implementations.</summary>
internal static class ForecastShapes
{
    public static void Check(ReadOnlySpan<double> input, int channels, Span<double> forecast, int minLookback, out int lookback, out int horizon)
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels C must be ≥ 1");
        if (input.Length % channels != 0)
            throw new ArgumentException($"input has {input.Length} values, not a whole number of steps of {channels} channels", nameof(input));
        if (forecast.Length % channels != 0 || forecast.Length == 0)
            throw new ArgumentException($"forecast has {forecast.Length} values, not a positive whole number of steps of {channels} channels", nameof(forecast));
        lookback = input.Length / channels;
        horizon = forecast.Length / channels;
        if (lookback < minLookback)
            throw new ArgumentException($"input has lookback L = {lookback} steps, this forecaster needs at least {minLookback}", nameof(input));
    }
}
