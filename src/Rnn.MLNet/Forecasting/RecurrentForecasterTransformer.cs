using RnnMl.Torch.Forecasting;

namespace RnnMl.MLNet.Forecasting;

/// <summary>
/// A trained recurrent forecaster. Rows in order are time steps; for each row it adds, per target <c>T</c>, the forecast
/// of the next H steps made from the L rows ending at that row (<c>T</c>+"Forecast", <c>Vector&lt;Single, H&gt;</c>) and
/// the interval's bounds (<c>T</c>+"LowerBound", <c>T</c>+"UpperBound", quantiles (1 − c)/2 and (1 + c)/2).
/// </summary>
/// <remarks>
/// <b>NaN rows.</b> A row with fewer than L rows before it (itself included: the first L − 1 rows) gets NaN vectors, and so
/// does a row whose L-row window holds a NaN or ±∞ in a target (the L − 1 rows after such a value): no window, no forecast.
/// <c>Transform</c> reads the rows in order and forecasts <see cref="RecurrentTransformer.PredictionBatchSize"/> windows per
/// model call. A <c>PredictionEngine</c> sees one row at a time and keeps its own window of the last L rows it was given;
/// use <see cref="Forecast"/> to forecast after a given history instead. Safe to use from several threads at once. Save it
/// with <see cref="RnnModelOperations.SaveRnnModel"/> (archive kind "Forecaster").
/// </remarks>
public sealed class RecurrentForecasterTransformer : RecurrentTransformer
{
    internal RecurrentForecasterTransformer(ForecasterCore core, ForecasterColumns columns, double confidenceLevel, int predictionBatchSize, TrainingResult? training)
        : base(core.Gate, predictionBatchSize, training)
        => (Core, Columns, Level) = (core, columns, confidenceLevel);

    internal ForecasterCore Core { get; }
    internal ForecasterColumns Columns { get; }
    internal double Level { get; }

    /// <summary>The target columns (channels), in order.</summary>
    public IReadOnlyList<string> TargetColumnNames { get { Gate.ThrowIfClosed(); return Columns.Targets; } }

    /// <summary>L, the rows a forecast is made from.</summary>
    public int Lookback { get { Gate.ThrowIfClosed(); return Core.Lookback; } }

    /// <summary>H, the steps forecast.</summary>
    public int Horizon { get { Gate.ThrowIfClosed(); return Core.Horizon; } }

    /// <summary>The interval's nominal coverage c.</summary>
    public double ConfidenceLevel { get { Gate.ThrowIfClosed(); return Level; } }

    /// <summary>The network. Do not switch it to training mode while the transformer is in use.</summary>
    public SegmentRecurrentForecaster Model { get { Gate.ThrowIfClosed(); return Core.Model; } }

    /// <summary>Forecasts the H steps after <paramref name="history"/> from its last L rows.</summary>
    /// <param name="history">Time steps, oldest first, each holding one value per target (in <see cref="TargetColumnNames"/> order); at least L.</param>
    /// <exception cref="ArgumentException">Fewer than L rows (stating both numbers), a row of the wrong width, or a NaN/±∞ value (naming row and target).</exception>
    public SeriesForecast Forecast(IReadOnlyList<float[]> history)
    {
        Gate.ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(history);
        int l = Core.Lookback, h = Core.Horizon, c = Core.Channels;
        if (history.Count < l)
            throw new ArgumentException($"history has {history.Count} rows, fewer than the lookback {l}", nameof(history));
        var window = new float[l * c];
        for (int t = 0; t < l; t++)
        {
            int row = history.Count - l + t;
            var values = history[row];
            if (values is null || values.Length != c)
                throw new ArgumentException($"history row {row} has {values?.Length.ToString() ?? "no"} values; expected {c} (one per target)", nameof(history));
            for (int j = 0; j < c; j++)
            {
                if (!float.IsFinite(values[j]))
                    throw new ArgumentException($"history row {row}, target '{Columns.Targets[j]}' holds {values[j]}; forecasting needs finite values", nameof(history));
                window[t * c + j] = values[j];
            }
        }
        var o = Core.Forecast([window])[0];
        float[][] Split(float[] a) => Enumerable.Range(0, c).Select(j => Enumerable.Range(0, h).Select(s => a[s * c + j]).ToArray()).ToArray();
        return new SeriesForecast(Split(o.Point), Split(o.Lower), Split(o.Upper));
    }

    /// <summary>Scores the forecasts of every window of L + H consecutive rows of <paramref name="data"/> (rows in time order).</summary>
    /// <param name="data">Rows with the target columns.</param>
    /// <exception cref="ArgumentOutOfRangeException">A target column is missing or not Single.</exception>
    /// <exception cref="ArgumentException">Fewer than L + H rows, stating both numbers.</exception>
    /// <exception cref="InvalidDataException">A NaN or ±∞, naming the row and column.</exception>
    public ForecastEvaluation Evaluate(IDataView data)
    {
        Gate.ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(data);
        return ForecasterEvaluation.Evaluate(Core, Columns.Targets, data, PredictionBatchSize);
    }

    private protected override string ArchiveKind => ForecasterArchive.Kind;

    private protected override IEnumerable<(string Name, byte[] Bytes)> ArchiveEntries() => ForecasterArchive.Entries(this);

    private protected override void Release() => Core.Model.Dispose();

    private protected override IRowBinding CreateBinding(DataViewSchema inputSchema) =>
        new ForecastingBinding(Core, Columns.Targets, Columns.Outputs, inputSchema);
}
