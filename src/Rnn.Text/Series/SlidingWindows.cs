namespace RnnMl.Text.Series;

/// <summary>
/// Windows over a <see cref="TimeSeries"/>: window i has its input at rows [s_i, s_i+L) and its target at rows
/// [s_i+L, s_i+L+H), with s_i = <see cref="FirstStart"/> + i (windows slide by one step).
/// </summary>
public sealed class SlidingWindows
{
    private SlidingWindows(TimeSeries series, int lookback, int horizon, int firstStart, int count)
    {
        (Series, Lookback, Horizon, FirstStart, Count) = (series, lookback, horizon, firstStart, count);
    }

    /// <summary>The series the windows read.</summary>
    public TimeSeries Series { get; }

    /// <summary>L, input steps per window.</summary>
    public int Lookback { get; }

    /// <summary>H, target steps per window.</summary>
    public int Horizon { get; }

    /// <summary>C, channels per step.</summary>
    public int Channels => Series.Channels;

    /// <summary>s_0, the first row of window 0's input.</summary>
    public int FirstStart { get; }

    /// <summary>The number of windows.</summary>
    public int Count { get; }

    /// <summary>Window <paramref name="index"/>'s input, shape (L, C) row-major.</summary>
    public ReadOnlySpan<double> Input(int index) => Series.Rows(Start(index), Lookback);

    /// <summary>Window <paramref name="index"/>'s target, shape (H, C) row-major.</summary>
    public ReadOnlySpan<double> Target(int index) => Series.Rows(Start(index) + Lookback, Horizon);

    private int Start(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"must be in [0, {Count})");
        return FirstStart + index;
    }

    /// <summary>Every window whose input starts at or after <paramref name="firstStart"/> and whose target ends at or before <paramref name="endRow"/>.</summary>
    /// <param name="series">The series.</param>
    /// <param name="lookback">L ≥ 1.</param>
    /// <param name="horizon">H ≥ 1.</param>
    /// <param name="firstStart">First input row, default 0.</param>
    /// <param name="endRow">One past the last target row allowed, default <see cref="TimeSeries.Length"/>.</param>
    /// <exception cref="ArgumentException">Fewer rows than L + H in [firstStart, endRow), stating both numbers.</exception>
    public static SlidingWindows Create(TimeSeries series, int lookback, int horizon, int firstStart = 0, int? endRow = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (lookback < 1) throw new ArgumentOutOfRangeException(nameof(lookback), lookback, "lookback L must be ≥ 1");
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "horizon H must be ≥ 1");
        int end = endRow ?? series.Length;
        if (firstStart < 0 || end > series.Length || firstStart > end)
            throw new ArgumentOutOfRangeException(nameof(firstStart), $"rows [{firstStart}, {end}) are outside the series' {series.Length} rows");
        int rows = end - firstStart;
        if (rows < lookback + horizon)
            throw new ArgumentException(
                $"{rows} rows are fewer than lookback + horizon = {lookback} + {horizon} = {lookback + horizon}", nameof(series));
        return new SlidingWindows(series, lookback, horizon, firstStart, rows - lookback - horizon + 1);
    }
}
