using RnnMl.Text.Series;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Forecasting;

/// <summary>
/// Trains a <see cref="SegmentRecurrentForecaster"/> with <see cref="Trainer"/> on sliding windows of a series: shuffled
/// batches of windows, the squared error of the point forecast plus, with a quantile head, the pinball loss of the
/// quantiles.
/// </summary>
/// <remarks>
/// Loss of a batch of B windows: MSE(ŷ, y) + λ·Pinball(q, y) averaged over B·H·C elements (λ = quantileWeight; the
/// pinball term only with a quantile head). Count = B·H·C, so epoch losses are per element. MetricSums: "mse" (Σ (ŷ − y)²),
/// "mae" (Σ |ŷ − y|), becoming the MSE and MAE over windows, steps and channels; with a quantile head also "coverage"
/// (elements with q_1 ≤ y ≤ q_Q), becoming the empirical coverage of the outermost interval. Select the best epoch on
/// the validation MSE with <c>SelectionMetric = "mse", SelectionMetricHigherIsBetter = false</c>.
/// The windows are read from float32 copies of the rows they span, built once; a batch gathers its windows by index.
/// A model with K known covariates takes them from a second series of K channels aligned row by row with the windows'
/// series: window i's covariates are its L input rows and H target rows of that series.
/// The task owns those copies: dispose it after training (the model is not disposed with it).
/// </remarks>
public sealed class ForecastingTrainingTask : ITrainingTask<ForecastingTrainingTask.Batch>, IDisposable
{
    private bool disposed;
    private readonly SegmentRecurrentForecaster model;
    private readonly Part train;
    private readonly Part? valid;
    private readonly int batchSize;
    private readonly int validationBatchSize;
    private readonly int? windowsPerEpoch;
    private readonly double quantileWeight;

    /// <summary>Creates the task.</summary>
    /// <param name="model">The model; its L and H must be the windows'.</param>
    /// <param name="train">Training windows.</param>
    /// <param name="validation">Validation windows with the same channels, or null for no validation (and no early stopping).</param>
    /// <param name="batchSize">Windows per training batch; at least 1.</param>
    /// <param name="validationBatchSize">Windows per validation batch; at least 1. Default 512.</param>
    /// <param name="windowsPerEpoch">Train on this many windows drawn without replacement per epoch (so epochs are shorter
    /// and validated more often); at least 1, or null for all training windows. Default null.</param>
    /// <param name="quantileWeight">λ, the weight of the pinball loss; finite and ≥ 0. Default 1.</param>
    /// <param name="device">Where batches go; default CPU.</param>
    /// <param name="trainCovariates">With a model that has K &gt; 0 covariates: K channels, one row per row of
    /// <paramref name="train"/>'s series (same length); otherwise null.</param>
    /// <param name="validationCovariates">Likewise for <paramref name="validation"/>'s series.</param>
    /// <exception cref="ArgumentException">L, H or C of the windows do not match, or an argument is out of range; naming both values.</exception>
    public ForecastingTrainingTask(SegmentRecurrentForecaster model, SlidingWindows train, SlidingWindows? validation,
        int batchSize, int validationBatchSize = 512, int? windowsPerEpoch = null, double quantileWeight = 1, Device? device = null,
        TimeSeries? trainCovariates = null, TimeSeries? validationCovariates = null)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentNullException.ThrowIfNull(train);
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch size must be at least 1, got {batchSize}");
        if (validationBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(validationBatchSize), validationBatchSize, $"validation batch size must be at least 1, got {validationBatchSize}");
        if (windowsPerEpoch is < 1)
            throw new ArgumentOutOfRangeException(nameof(windowsPerEpoch), windowsPerEpoch, $"windows per epoch must be at least 1 (or null for all), got {windowsPerEpoch}");
        if (!(quantileWeight >= 0) || !double.IsFinite(quantileWeight))
            throw new ArgumentOutOfRangeException(nameof(quantileWeight), quantileWeight, $"quantile weight must be finite and at least 0, got {quantileWeight}");
        Check(model, train, nameof(train));
        CheckCovariates(model, train, trainCovariates, nameof(trainCovariates));
        if (validation is not null)
        {
            Check(model, validation, nameof(validation));
            CheckCovariates(model, validation, validationCovariates, nameof(validationCovariates));
            if (validation.Channels != train.Channels)
                throw new ArgumentException($"validation windows have {validation.Channels} channels, training windows {train.Channels}", nameof(validation));
        }
        var target = device ?? CPU;
        this.train = Part.Create(train, trainCovariates, target);
        valid = validation is null ? null : Part.Create(validation, validationCovariates, target);
        this.batchSize = batchSize;
        this.validationBatchSize = validationBatchSize;
        this.windowsPerEpoch = windowsPerEpoch;
        this.quantileWeight = quantileWeight;
    }

    /// <summary>A batch: which windows (0-based window indices), from the training or the validation windows.</summary>
    /// <param name="Validation">True for validation windows.</param>
    /// <param name="Windows">Window indices.</param>
    public sealed record Batch(bool Validation, long[] Windows);

    /// <inheritdoc />
    public nn.Module Model => model;

    /// <inheritdoc />
    public IEnumerable<Batch> TrainingBatches(int epoch, Random random)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(random);
        var order = Enumerable.Range(0, train.Count).Select(i => (long)i).ToArray();
        random.Shuffle(order);
        int take = Math.Min(order.Length, windowsPerEpoch ?? order.Length);
        return order[..take].Chunk(batchSize).Select(w => new Batch(false, w));
    }

    /// <inheritdoc />
    public IEnumerable<Batch> ValidationBatches()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return valid is null
            ? []
            : Enumerable.Range(0, valid.Count).Select(i => (long)i).Chunk(validationBatchSize).Select(w => new Batch(true, w));
    }

    /// <inheritdoc />
    public BatchResult Evaluate(Batch batch, bool training)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(batch);
        var part = batch.Validation ? valid ?? throw new ArgumentException("a validation batch, but the task has no validation windows", nameof(batch)) : train;
        var (x, y, k) = part.Gather(batch.Windows, model.Lookback, model.Horizon);
        Tensor point, loss;
        var metrics = new Dictionary<string, double>();
        if (model.Quantiles.Count > 0)
        {
            var (p, q) = model.ForecastWithQuantiles(x, k);
            point = p;
            loss = nn.functional.mse_loss(point, y);
            if (quantileWeight > 0) loss = loss + quantileWeight * QuantileLoss.Pinball(q, y, model.Quantiles);
            using var inside = (y >= q[.., .., .., 0]).logical_and(y <= q[.., .., .., ^1]);
            metrics["coverage"] = inside.sum().item<long>();
        }
        else
        {
            point = model.Forecast(x, k);
            loss = nn.functional.mse_loss(point, y);
        }
        using var error = point.detach() - y;
        metrics["mse"] = error.square().sum().to(ScalarType.Float64).item<double>();
        metrics["mae"] = error.abs().sum().to(ScalarType.Float64).item<double>();
        return new BatchResult(loss, y.numel(), metrics);
    }

    /// <summary>Calibrates the model's interval on the validation windows (split conformal, <see cref="IntervalCalibration"/>):
    /// sets <see cref="SegmentRecurrentForecaster.IntervalScale"/> so that [first, last quantile] covers
    /// <paramref name="level"/> of the validation truths, and returns it. Call it after training; the model is left in
    /// evaluation mode.</summary>
    /// <param name="level">The target coverage in (0, 1), e.g. 0.9.</param>
    /// <exception cref="InvalidOperationException">No validation windows, or a model without a quantile head.</exception>
    public double CalibrateInterval(double level)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (valid is null) throw new InvalidOperationException("calibrating the interval needs validation windows");
        if (model.Quantiles.Count < 2) throw new InvalidOperationException("calibrating the interval needs a quantile head with at least 2 levels");
        model.eval();
        model.IntervalScale = 1;
        var factors = new List<double>();
        using (no_grad())
            foreach (var batch in ValidationBatches())
            {
                using var scope = NewDisposeScope();
                var (x, y, k) = valid.Gather(batch.Windows, model.Lookback, model.Horizon);
                var (p, q) = model.ForecastWithQuantiles(x, k);
                factors.AddRange(IntervalCalibration.CoveringFactors(p, q, y));
            }
        double scale = IntervalCalibration.Scale(factors, level);
        // A factor of +∞ (a zero-width side that must cover) cannot be applied; keep the widest finite one.
        model.IntervalScale = double.IsFinite(scale) && scale > 0 ? scale : Math.Max(1e-6, factors.Where(double.IsFinite).DefaultIfEmpty(1).Max());
        return model.IntervalScale;
    }

    /// <summary>Frees the float32 copies of the windows' rows; the model is left alone.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        train.Dispose();
        valid?.Dispose();
    }

    private static void Check(SegmentRecurrentForecaster model, SlidingWindows windows, string name)
    {
        if (windows.Lookback != model.Lookback)
            throw new ArgumentException($"the windows have lookback L = {windows.Lookback}, the model takes L = {model.Lookback}", name);
        if (windows.Horizon != model.Horizon)
            throw new ArgumentException($"the windows have horizon H = {windows.Horizon}, the model forecasts H = {model.Horizon}", name);
        if (model.Channels is int c && windows.Channels != c)
            throw new ArgumentException($"the windows have C = {windows.Channels} channels, the model takes C = {c}", name);
    }

    private static void CheckCovariates(SegmentRecurrentForecaster model, SlidingWindows windows, TimeSeries? covariates, string name)
    {
        if (model.Covariates == 0)
        {
            if (covariates is not null)
                throw new ArgumentException($"the model takes no covariates, got a series of {covariates.Channels}", name);
            return;
        }
        if (covariates is null)
            throw new ArgumentNullException(name, $"the model needs K = {model.Covariates} covariates per step; pass their series");
        if (covariates.Channels != model.Covariates)
            throw new ArgumentException($"the covariate series has {covariates.Channels} channels, the model takes K = {model.Covariates}", name);
        if (covariates.Length != windows.Series.Length)
            throw new ArgumentException($"the covariate series has {covariates.Length} rows, the windows' series {windows.Series.Length}; they must align row by row", name);
    }

    /// <summary>The rows a set of windows spans, as a float32 tensor (rows, C), their covariates (rows, K) or null, and the
    /// number of windows.</summary>
    private sealed class Part(Tensor rows, Tensor? covariates, int count) : IDisposable
    {
        public Tensor Rows { get; } = rows;

        public Tensor? Covariates { get; } = covariates;

        public int Count { get; } = count;

        public static Part Create(SlidingWindows windows, TimeSeries? covariates, Device device)
        {
            int span = windows.Count + windows.Lookback + windows.Horizon - 1;
            var rows = Floats(windows.Series.Rows(windows.FirstStart, span), span, windows.Channels, device);
            var k = covariates is null ? null : Floats(covariates.Rows(windows.FirstStart, span), span, covariates.Channels, device);
            return new Part(rows, k, windows.Count);
        }

        private static Tensor Floats(ReadOnlySpan<double> values, int span, int channels, Device device)
        {
            var floats = new float[values.Length];
            for (int i = 0; i < floats.Length; i++) floats[i] = (float)values[i];
            return tensor(floats, device: device).reshape(span, channels).DetachFromDisposeScope();
        }

        /// <summary>Inputs (B, L, C), targets (B, H, C) and covariates (B, L + H, K) or null of the given windows.</summary>
        public (Tensor X, Tensor Y, Tensor? K) Gather(long[] windows, int lookback, int horizon)
        {
            if (windows.Length == 0) throw new ArgumentException("a batch needs at least one window", nameof(windows));
            foreach (long w in windows)
                if (w < 0 || w >= Count) throw new ArgumentOutOfRangeException(nameof(windows), w, $"window indices must be in [0, {Count})");
            using var starts = tensor(windows, device: Rows.device).unsqueeze(1);
            using var steps = arange(lookback + horizon, dtype: ScalarType.Int64, device: Rows.device).unsqueeze(0);
            using var index = starts + steps;                       // (B, L+H)
            var all = Rows.index(index);                            // (B, L+H, C)
            return (all[.., ..lookback, ..], all[.., lookback.., ..], Covariates?.index(index));
        }

        public void Dispose()
        {
            Rows.Dispose();
            Covariates?.Dispose();
        }
    }
}
