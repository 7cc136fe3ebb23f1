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
/// With known covariates a forecast also reads the covariates of the next H rows, so the last H rows get NaN too, and a
/// <c>PredictionEngine</c> (one row at a time) always gives NaN: use <see cref="Forecast(IReadOnlyList{float[]}, IReadOnlyList{float[]})"/>.
/// <c>Transform</c> reads the rows in order and forecasts <see cref="RecurrentTransformer.PredictionBatchSize"/> windows per
/// model call. A <c>PredictionEngine</c> sees one row at a time and keeps its own window of the last L rows it was given;
/// use <see cref="Forecast(IReadOnlyList{float[]})"/> to forecast after a given history instead. Safe to use from several threads at once. Save it
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

    /// <summary>The known covariate columns, in order; empty without covariates.</summary>
    public IReadOnlyList<string> KnownCovariateColumns { get { Gate.ThrowIfClosed(); return Columns.Covariates; } }

    /// <summary>Forecasts the H steps after <paramref name="history"/> from its last L rows (a model without covariates).</summary>
    /// <param name="history">Time steps, oldest first, each holding one value per target (in <see cref="TargetColumnNames"/> order); at least L.</param>
    /// <exception cref="ArgumentException">Fewer than L rows (stating both numbers), a row of the wrong width, or a NaN/±∞ value (naming row and target).</exception>
    /// <exception cref="InvalidOperationException">The model has known covariates: use the overload with future covariates.</exception>
    public SeriesForecast Forecast(IReadOnlyList<float[]> history)
    {
        Gate.ThrowIfClosed();
        if (Core.Covariates > 0)
            throw new InvalidOperationException($"this forecaster reads {Core.Covariates} known covariate(s) ({string.Join(", ", Columns.Covariates)}): call Forecast(history, futureCovariates)");
        return Forecast(history, []);
    }

    /// <summary>Forecasts the H steps after <paramref name="history"/> from its last L rows and the covariates of the H steps.</summary>
    /// <param name="history">Time steps, oldest first, each holding the targets (in <see cref="TargetColumnNames"/> order) and
    /// then the known covariates (in <see cref="KnownCovariateColumns"/> order); at least L.</param>
    /// <param name="futureCovariates">Exactly H rows, the covariates of the forecast steps (K values each); empty without covariates.</param>
    /// <exception cref="ArgumentException">Fewer than L history rows or not H future rows (stating both numbers), a row of the
    /// wrong width, or a NaN/±∞ value (naming row and column).</exception>
    public SeriesForecast Forecast(IReadOnlyList<float[]> history, IReadOnlyList<float[]> futureCovariates)
    {
        Gate.ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(futureCovariates);
        int l = Core.Lookback, h = Core.Horizon, c = Core.Channels, k = Core.Covariates;
        if (history.Count < l)
            throw new ArgumentException($"history has {history.Count} rows, fewer than the lookback {l}", nameof(history));
        if (futureCovariates.Count != (k == 0 ? 0 : h))
            throw new ArgumentException(k == 0
                ? $"this forecaster has no known covariates, got {futureCovariates.Count} rows of future covariates"
                : $"futureCovariates has {futureCovariates.Count} rows; the forecaster needs one per forecast step, H = {h}", nameof(futureCovariates));
        var window = new float[Core.WindowLength];
        var names = Columns.Read;
        void Copy(float[]? values, int row, string what, string parameter, int first, int width, Action<int, float> put)
        {
            if (values is null || values.Length != width)
                throw new ArgumentException($"{what} row {row} has {values?.Length.ToString() ?? "no"} values; expected {width} ({string.Join(", ", names[first..(first + width)])})", parameter);
            for (int j = 0; j < width; j++)
            {
                if (!float.IsFinite(values[j]))
                    throw new ArgumentException($"{what} row {row}, {(first + j < c ? "target" : "covariate")} '{names[first + j]}' holds {values[j]}; forecasting needs finite values", parameter);
                put(j, values[j]);
            }
        }
        for (int t = 0; t < l; t++)
        {
            int row = history.Count - l + t;
            Copy(history[row], row, "history", nameof(history), 0, c + k, (j, v) =>
            {
                if (j < c) window[t * c + j] = v;
                else window[l * c + t * k + j - c] = v;
            });
        }
        for (int t = 0; t < futureCovariates.Count; t++)
            Copy(futureCovariates[t], t, "futureCovariates", nameof(futureCovariates), c, k, (j, v) => window[l * c + (l + t) * k + j] = v);
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
        return ForecasterEvaluation.Evaluate(Core, Columns, data, PredictionBatchSize);
    }

    private protected override IArchiveFormat Archive => ForecasterArchive.Format;

    private protected override void Release() => Core.Model.Dispose();

    private protected override IRowBinding CreateBinding(DataViewSchema inputSchema) =>
        new ForecastingBinding(Core, Columns, inputSchema);
}
