namespace RnnMl.Text.Series;

/// <summary>
/// Per-channel z-scoring fitted on a range of rows (the training part): z = (x − μ_c) / σ_c, and its inverse x = z·σ_c + μ_c.
/// </summary>
/// <remarks>
/// μ_c and σ_c are the mean and the population standard deviation (divisor n, as scikit-learn's StandardScaler) of
/// channel c over the fitted rows. Floor for constant channels: when σ_c &lt; <see cref="DefaultStdFloor"/> (1e-8, or the
/// floor given to <see cref="Fit"/>), σ_c is replaced by 1, so a constant channel maps to 0 instead of dividing by zero.
/// The inverse of the forward map is exact up to float64 rounding (a few ulps).
/// </remarks>
public sealed class ChannelScaler
{
    /// <summary>Standard deviations below this are replaced by 1 (see remarks).</summary>
    public const double DefaultStdFloor = 1e-8;

    private readonly double[] mean;
    private readonly double[] std;

    private ChannelScaler(double[] mean, double[] std)
    {
        this.mean = mean;
        this.std = std;
    }

    /// <summary>C, the number of channels.</summary>
    public int Channels => mean.Length;

    /// <summary>μ_c per channel.</summary>
    public IReadOnlyList<double> Mean => mean;

    /// <summary>σ_c per channel, after the floor.</summary>
    public IReadOnlyList<double> Std => std;

    /// <summary>Fits μ and σ per channel on rows [<paramref name="start"/>, <paramref name="start"/>+<paramref name="count"/>).</summary>
    /// <param name="series">The series.</param>
    /// <param name="start">First row, default 0.</param>
    /// <param name="count">Number of rows, default all rows from <paramref name="start"/>; at least 1.</param>
    /// <param name="stdFloor">σ below this becomes 1; default <see cref="DefaultStdFloor"/>; must be ≥ 0.</param>
    public static ChannelScaler Fit(TimeSeries series, int start = 0, int? count = null, double stdFloor = DefaultStdFloor)
    {
        ArgumentNullException.ThrowIfNull(series);
        int n = count ?? series.Length - start;
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(count), n, "at least one row is needed to fit the scaler");
        if (!(stdFloor >= 0) || !double.IsFinite(stdFloor)) throw new ArgumentOutOfRangeException(nameof(stdFloor), stdFloor, "must be finite and ≥ 0");
        var rows = series.Rows(start, n);
        int c = series.Channels;
        var mean = new double[c];
        var std = new double[c];
        for (int t = 0; t < n; t++)
            for (int k = 0; k < c; k++) mean[k] += rows[t * c + k];
        for (int k = 0; k < c; k++) mean[k] /= n;
        for (int t = 0; t < n; t++)
            for (int k = 0; k < c; k++)
            {
                double d = rows[t * c + k] - mean[k];
                std[k] += d * d;
            }
        for (int k = 0; k < c; k++)
        {
            std[k] = Math.Sqrt(std[k] / n);
            if (std[k] < stdFloor) std[k] = 1.0;
        }
        return new ChannelScaler(mean, std);
    }

    /// <summary>z-scores every row of <paramref name="series"/> (same channels as fitted).</summary>
    public TimeSeries Transform(TimeSeries series)
    {
        CheckChannels(series);
        var v = series.Values.ToArray();
        Transform(v);
        return TimeSeries.FromRows(v, series.ChannelNames);
    }

    /// <summary>Undoes <see cref="Transform(TimeSeries)"/>.</summary>
    public TimeSeries Inverse(TimeSeries series)
    {
        CheckChannels(series);
        var v = series.Values.ToArray();
        Inverse(v);
        return TimeSeries.FromRows(v, series.ChannelNames);
    }

    /// <summary>z-scores values of shape (T, C) row-major in place.</summary>
    public void Transform(Span<double> values)
    {
        CheckLength(values.Length);
        for (int i = 0; i < values.Length; i++) values[i] = (values[i] - mean[i % Channels]) / std[i % Channels];
    }

    /// <summary>Maps z-scored values of shape (T, C) row-major back to the original scale in place.</summary>
    public void Inverse(Span<double> values)
    {
        CheckLength(values.Length);
        for (int i = 0; i < values.Length; i++) values[i] = values[i] * std[i % Channels] + mean[i % Channels];
    }

    private void CheckLength(int length)
    {
        if (length % Channels != 0)
            throw new ArgumentException($"{length} values are not a whole number of rows of {Channels} channels", "values");
    }

    private void CheckChannels(TimeSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Channels != Channels)
            throw new ArgumentException($"the series has {series.Channels} channels, the scaler was fitted on {Channels}", nameof(series));
    }
}
