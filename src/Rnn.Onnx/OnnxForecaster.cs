using Microsoft.ML.OnnxRuntime;
using RnnMl.Onnx.Internal;
using RnnMl.Text.Export;
using RnnMl.Text.Internal;

namespace RnnMl.Onnx;

/// <summary>
/// A forecaster exported by RnnMl's <c>OnnxExporter</c>, run by ONNX Runtime: the last L steps of a history give the
/// next H steps of every channel, and with a quantile head their interval. Normalisation is inside the graph, so
/// histories and forecasts are in the series' own units. Needs neither TorchSharp nor libtorch. Safe to use from several
/// threads at once. After <see cref="Dispose"/> every member throws <see cref="ObjectDisposedException"/>; a
/// <see cref="Dispose"/> during a call waits for it to finish.
/// </summary>
/// <remarks>Shapes: N windows, L lookback, H horizon, C channels, Q quantile levels.</remarks>
/// <example>
/// <code>
/// using var forecaster = OnnxForecaster.Load("forecaster.onnx");
/// var forecast = forecaster.Forecast(history);          // history (T ≥ L, C): the last L rows are used
/// float next = forecast.Point[0, 0], low = forecast.Lower![0, 0], high = forecast.Upper![0, 0];
/// </code>
/// </example>
public sealed class OnnxForecaster : IDisposable
{
    private const string Kind = "an exported RnnMl forecaster";
    private readonly InferenceSession session;
    private readonly UsageGate gate = new(nameof(OnnxForecaster));
    private readonly ForecasterModelInfo info;
    private readonly string[] inputNames;
    private readonly string[] outputNames;

    private OnnxForecaster(InferenceSession session, ForecasterModelInfo info)
    {
        (this.session, this.info) = (session, info);
        inputNames = info.Covariates == 0 ? new[] { ForecasterGraphNames.Window } : new[] { ForecasterGraphNames.Window, ForecasterGraphNames.Covariates };
        outputNames = info.Quantiles.Count == 0
            ? new[] { ForecasterGraphNames.Forecast }
            : new[] { ForecasterGraphNames.Forecast, ForecasterGraphNames.Quantiles };
    }

    /// <summary>Loads an exported forecaster.</summary>
    /// <param name="filePath">The .onnx file.</param>
    /// <param name="options">ONNX Runtime session options; null for ONNX Runtime's defaults.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="filePath"/>.</exception>
    /// <exception cref="InvalidDataException">ONNX Runtime refuses the file, or it has not the input, outputs or metadata of an exported RnnMl forecaster.</exception>
    public static OnnxForecaster Load(string filePath, SessionOptions? options = null)
    {
        return OnnxSessions.Load(filePath, options, session =>
        {
            var info = OnnxSessions.ReadMetadata(session, filePath, ForecasterModelInfo.FromMetadata);
            OnnxSessions.Require(session.InputMetadata.Keys,
                info.Covariates == 0 ? new[] { ForecasterGraphNames.Window } : new[] { ForecasterGraphNames.Window, ForecasterGraphNames.Covariates }, "input", filePath, Kind);
            var outputs = info.Quantiles.Count == 0 ? new[] { ForecasterGraphNames.Forecast } : new[] { ForecasterGraphNames.Forecast, ForecasterGraphNames.Quantiles };
            OnnxSessions.Require(session.OutputMetadata.Keys, outputs, "output", filePath, Kind);
            var dims = session.InputMetadata[ForecasterGraphNames.Window].Dimensions;
            if (dims.Length != 3 || dims[1] != info.Lookback)
                throw new InvalidDataException($"'{Path.GetFullPath(filePath)}' is inconsistent: input '{ForecasterGraphNames.Window}' must be (N, L, C) with L = {info.Lookback} (rnnml.lookback), got [{string.Join(", ", dims)}]");
            return new OnnxForecaster(session, info);
        });
    }

    /// <summary>L, H, the quantile levels and the channel names and scaling stored with the model.</summary>
    /// <exception cref="ObjectDisposedException">The forecaster has been disposed.</exception>
    public ForecasterModelInfo Info
    {
        get { gate.ThrowIfClosed(); return info; }
    }

    /// <summary>Forecasts the H steps after a history.</summary>
    /// <param name="history">(T, C): T ≥ L rows in time order, one column per channel; the last L rows are used.</param>
    /// <exception cref="ArgumentException">Fewer than L rows, a channel count the model does not take, or a value that is NaN or infinite (naming row and column).</exception>
    /// <exception cref="ObjectDisposedException">The forecaster has been disposed.</exception>
    public OnnxForecast Forecast(float[,] history) => ForecastBatch(new[] { history })[0];

    /// <summary>Forecasts the H steps after a history, for a model with K known covariates.</summary>
    /// <param name="history">(T, C): T ≥ L rows in time order; the last L rows are used.</param>
    /// <param name="covariates">(T + H, K): the covariates of every history row and then of the H forecast steps (the last L + H rows are used).</param>
    /// <exception cref="ArgumentException">As for <see cref="Forecast(float[,])"/>, or the covariates are not (T + H, K) (stating both shapes) or not finite.</exception>
    /// <exception cref="ObjectDisposedException">The forecaster has been disposed.</exception>
    public OnnxForecast Forecast(float[,] history, float[,] covariates) => ForecastBatch(new[] { history }, new[] { covariates })[0];

    /// <summary>Forecasts the H steps after a history given as one array of C values per step.</summary>
    /// <param name="history">T ≥ L steps in time order, each C values; the last L steps are used.</param>
    /// <exception cref="ArgumentException">As for the (T, C) overload, or steps of different lengths (naming the step).</exception>
    /// <exception cref="ObjectDisposedException">The forecaster has been disposed.</exception>
    public OnnxForecast Forecast(IReadOnlyList<float[]> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        int c = history.Count == 0 ? 0 : (history[0] ?? throw new ArgumentException("step 0 is null", nameof(history))).Length;
        var table = new float[history.Count, c];
        for (int t = 0; t < history.Count; t++)
        {
            var row = history[t] ?? throw new ArgumentException($"step {t} is null", nameof(history));
            if (row.Length != c)
                throw new ArgumentException($"every step must hold the {c} channels of step 0, got {row.Length} at step {t}", nameof(history));
            for (int k = 0; k < c; k++) table[t, k] = row[k];
        }
        return Forecast(table);
    }

    /// <summary>Forecasts after each of several histories in one ONNX Runtime call (results in input order).</summary>
    /// <param name="histories">N histories (T_i ≥ L, C), all with the same C; the last L rows of each are used.</param>
    /// <exception cref="ArgumentException">As for <see cref="Forecast(float[,])"/>, naming the history; or histories with different C.</exception>
    /// <exception cref="ObjectDisposedException">The forecaster has been disposed.</exception>
    public IReadOnlyList<OnnxForecast> ForecastBatch(IReadOnlyList<float[,]> histories) => ForecastBatch(histories, null);

    /// <summary>Forecasts after each of several histories, with their known covariates, in one ONNX Runtime call.</summary>
    /// <param name="histories">N histories (T_i ≥ L, C), all with the same C.</param>
    /// <param name="covariates">N tables (T_i + H, K), one per history (see <see cref="Forecast(float[,], float[,])"/>); null for a model without covariates.</param>
    /// <exception cref="ArgumentException">As for <see cref="Forecast(float[,], float[,])"/>, naming the history.</exception>
    /// <exception cref="ObjectDisposedException">The forecaster has been disposed.</exception>
    public IReadOnlyList<OnnxForecast> ForecastBatch(IReadOnlyList<float[,]> histories, IReadOnlyList<float[,]>? covariates)
    {
        using var lease = gate.Enter();
        ArgumentNullException.ThrowIfNull(histories);
        int n = histories.Count, l = info.Lookback, h = info.Horizon, q = info.Quantiles.Count;
        if (n == 0) return Array.Empty<OnnxForecast>();
        int c = Check(histories);
        var known = CheckCovariates(histories, covariates);
        var windows = new float[n * l * c];
        for (int i = 0; i < n; i++)
        {
            var x = histories[i];
            int from = x.GetLength(0) - l;
            for (int t = 0; t < l; t++)
                for (int k = 0; k < c; k++) windows[(i * l + t) * c + k] = x[from + t, k];
        }
        using var input = OrtValue.CreateTensorValueFromMemory(windows, new long[] { n, l, c });
        using var knownInput = known is null ? null : OrtValue.CreateTensorValueFromMemory(known, new long[] { n, l + h, info.Covariates });
        using var run = new RunOptions();
        using var outputs = session.Run(run, inputNames, knownInput is null ? new[] { input } : new[] { input, knownInput }, outputNames);
        var point = outputs[0].GetTensorDataAsSpan<float>();
        var quantiles = q == 0 ? ReadOnlySpan<float>.Empty : outputs[1].GetTensorDataAsSpan<float>();
        var result = new OnnxForecast[n];
        for (int i = 0; i < n; i++)
        {
            var p = new float[h, c];
            var qs = new float[h, c, q];
            for (int t = 0; t < h; t++)
                for (int k = 0; k < c; k++)
                {
                    p[t, k] = point[(i * h + t) * c + k];
                    for (int j = 0; j < q; j++) qs[t, k, j] = quantiles[((i * h + t) * c + k) * q + j];
                }
            result[i] = new OnnxForecast(p, qs, info.Quantiles);
        }
        return result;
    }

    /// <summary>Checks every history; returns C.</summary>
    private int Check(IReadOnlyList<float[,]> histories)
    {
        int l = info.Lookback;
        int c = (histories[0] ?? throw new ArgumentException("history 0 is null", nameof(histories))).GetLength(1);
        if (c < 1) throw new ArgumentException("a history must have at least 1 channel (column), got 0", nameof(histories));
        if (info.Channels is int fixedC && c != fixedC)
            throw new ArgumentException($"the model forecasts {fixedC} channels ({string.Join(", ", info.ChannelNames ?? Array.Empty<string>())}), got a history with {c} columns", nameof(histories));
        for (int i = 0; i < histories.Count; i++)
        {
            var x = histories[i] ?? throw new ArgumentException($"history {i} is null", nameof(histories));
            string which = histories.Count == 1 ? "the history" : $"history {i}";
            if (x.GetLength(1) != c)
                throw new ArgumentException($"every history must have the {c} channels of history 0, got {x.GetLength(1)} in history {i}", nameof(histories));
            if (x.GetLength(0) < l)
                throw new ArgumentException($"{which} has {x.GetLength(0)} rows, fewer than the lookback L = {l} the model needs", nameof(histories));
            for (int t = x.GetLength(0) - l; t < x.GetLength(0); t++)
                for (int k = 0; k < c; k++)
                    if (!float.IsFinite(x[t, k]))
                        throw new ArgumentException($"{which} holds {x[t, k]} at row {t}, column {k}; values must be finite", nameof(histories));
        }
        return c;
    }

    /// <summary>Checks the covariates of every history; returns the last L + H rows of each, (N, L + H, K) row-major, or null without covariates.</summary>
    private float[]? CheckCovariates(IReadOnlyList<float[,]> histories, IReadOnlyList<float[,]>? covariates)
    {
        int k = info.Covariates, span = info.Lookback + info.Horizon;
        if (k == 0)
        {
            if (covariates is not null)
                throw new ArgumentException($"the model has no known covariates, got {covariates.Count} covariate table(s)", nameof(covariates));
            return null;
        }
        if (covariates is null || covariates.Count != histories.Count)
            throw new ArgumentException($"the model reads K = {k} known covariates: pass one (T + H, K) table per history; {histories.Count} histories, {covariates?.Count ?? 0} tables", nameof(covariates));
        var known = new float[histories.Count * span * k];
        for (int i = 0; i < histories.Count; i++)
        {
            var table = covariates[i] ?? throw new ArgumentException($"covariate table {i} is null", nameof(covariates));
            int rows = histories[i].GetLength(0) + info.Horizon;
            if (table.GetLength(0) != rows || table.GetLength(1) != k)
                throw new ArgumentException($"covariate table {i} must be (T + H, K) = ({rows}, {k}): history rows plus H = {info.Horizon}, got ({table.GetLength(0)}, {table.GetLength(1)})", nameof(covariates));
            for (int t = 0; t < span; t++)
                for (int j = 0; j < k; j++)
                {
                    float v = table[rows - span + t, j];
                    if (!float.IsFinite(v))
                        throw new ArgumentException($"covariate table {i} holds {v} at row {rows - span + t}, column {j}; values must be finite", nameof(covariates));
                    known[(i * span + t) * k + j] = v;
                }
        }
        return known;
    }

    /// <summary>Frees ONNX Runtime's session after the calls in flight have finished; new calls throw
    /// <see cref="ObjectDisposedException"/>. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (gate.Close()) session.Dispose();
    }
}
