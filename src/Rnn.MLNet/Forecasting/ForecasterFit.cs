using RnnMl.Text.Series;
using RnnMl.Torch.Forecasting;
using RnnMl.Torch.Models;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Forecasting;

/// <summary>The forecaster's plug-in to the fit pipeline: rows are time steps (typed <c>float[]</c> of the C targets, then
/// the K known covariates), the last rows validate, targets and covariates are z-scored with the training rows' mean and
/// std, windows of L + H rows train a <see cref="SegmentRecurrentForecaster"/> with a quantile head through
/// <see cref="ForecastingTrainingTask"/>.</summary>
internal sealed class ForecasterFit(RecurrentForecasterOptions options)
    : TaskFit<float[], SegmentRecurrentForecaster, RecurrentForecasterTransformer>
{
    private bool separateValidation;
    private ChannelScaler? scaler, covariateScaler;
    private SlidingWindows? trainWindows, validWindows;
    private TimeSeries? trainCovariates, validCovariates;

    private string[] Columns => options.TargetColumnNames.Concat(options.KnownCovariateColumns).ToArray();

    /// <summary>The output names of every target (forecast, lower, upper bound per target).</summary>
    public static string[] Outputs(RecurrentForecasterOptions o) =>
        o.TargetColumnNames.SelectMany(t => RecurrentForecasterOptions.OutputNames(t, o.ForecastColumnSuffix, o.LowerBoundColumnSuffix, o.UpperBoundColumnSuffix)).ToArray();

    /// <summary>The input shape with the forecast and bound columns added; checks that every target is a scalar Single.</summary>
    public static SchemaShape OutputSchema(RecurrentForecasterOptions options, SchemaShape input)
    {
        foreach (var (name, role) in options.TargetColumnNames.Select(n => (n, "target")).Concat(options.KnownCovariateColumns.Select(n => (n, "covariate"))))
        {
            var column = ColumnCheck.Require(input, name, role);
            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single || column.IsKey)
                throw ColumnCheck.Mismatch(role, name, "Single", ColumnCheck.Describe(column));
        }
        return SchemaShapes.Forecaster(input, Outputs(options));
    }

    /// <summary>Time order matters: the last time steps validate, never random rows.</summary>
    protected override bool HoldOutLastRows => true;

    protected override string NoTrainingRows => "no training rows";

    protected override int TrainingExamples => trainWindows!.Count;

    protected override List<float[]> Read(IDataView data, string what, FitContext context)
    {
        var rows = SeriesRows.Read(data, Columns, what, options.MissingValues == MissingValuePolicy.ForwardFill);
        if (what == "validation") separateValidation = true;
        if (rows.Count < options.Lookback + options.Horizon)
            throw SeriesRows.TooFew(what == "validation" ? "validationData" : "trainData", what, rows.Count, options.Lookback, options.Horizon);
        return rows;
    }

    protected override void Prepare(List<float[]> train, List<float[]> valid, FitContext context)
    {
        int l = options.Lookback, h = options.Horizon;
        if (train.Count < l + h)
            throw SeriesRows.TooFew("trainData", "training", train.Count, l, h,
                $" (left after holding out the last {valid.Count} rows for validation, ValidationFraction = {options.ValidationFraction})");
        var targets = options.TargetColumnNames;
        var trainSeries = SeriesRows.ToSeries(train, targets);
        scaler = ChannelScaler.Fit(trainSeries);
        trainWindows = SlidingWindows.Create(scaler.Transform(trainSeries), l, h);
        if (options.KnownCovariateColumns.Length > 0)
        {
            var covariates = SeriesRows.ToSeries(train, options.KnownCovariateColumns, targets.Length);
            covariateScaler = ChannelScaler.Fit(covariates);
            trainCovariates = covariateScaler.Transform(covariates);
        }
        TimeSeries? Covariates(List<float[]> rows) => covariateScaler?.Transform(SeriesRows.ToSeries(rows, options.KnownCovariateColumns, targets.Length));
        if (separateValidation)
        {
            validWindows = SlidingWindows.Create(scaler.Transform(SeriesRows.ToSeries(valid, targets)), l, h);
            validCovariates = Covariates(valid);
        }
        else if (valid.Count >= h)
        {
            // Held-out windows forecast only held-out rows; their inputs reach back into the training rows.
            var rows = train.Concat(valid).ToList();
            validWindows = SlidingWindows.Create(scaler.Transform(SeriesRows.ToSeries(rows, targets)), l, h, firstStart: Math.Max(0, train.Count - l));
            validCovariates = Covariates(rows);
        }
        else if (valid.Count > 0)
            context.Channel.Warning(MessageSensitivity.None, $"the {valid.Count} held-out rows are fewer than the horizon {h}: training without validation (raise ValidationFraction)");
        context.Channel.Info(MessageSensitivity.None,
            $"{train.Count} training and {valid.Count} validation time steps, {trainWindows.Count} and {validWindows?.Count ?? 0} windows of {l} + {h} steps, {targets.Length} channel(s) ({options.ChannelMode}, {options.OutputMode}), {options.KnownCovariateColumns.Length} covariate(s), seed {context.Seed}");
    }

    protected override SegmentRecurrentForecaster CreateModel(Device device) =>
        SegmentRecurrentForecaster.Create(options.Lookback, options.Horizon, options.SegmentLength, options.HiddenSize, options.Dropout,
            quantiles: options.QuantileLevels, device: device, channelMode: options.ChannelMode,
            channels: options.ChannelMode == ForecasterChannelMode.Joint ? options.TargetColumnNames.Length : 0,
            covariates: options.KnownCovariateColumns.Length, outputMode: options.OutputMode);

    protected override TrainingResult Train(SegmentRecurrentForecaster model, Trainer trainer, IProgress<TrainingProgress> progress, CancellationToken token, Device device)
    {
        using var task = new ForecastingTrainingTask(model, trainWindows!, validWindows, options.BatchSize, options.PredictionBatchSize, device: device,
            trainCovariates: trainCovariates, validationCovariates: validWindows is null ? null : validCovariates);
        var result = trainer.Fit(task, progress, token);
        if (options.CalibrateInterval)
        {
            if (validWindows is null)
                throw new InvalidOperationException("CalibrateInterval needs validation windows: raise ValidationFraction or pass validationData");
            task.CalibrateInterval(options.ConfidenceLevel);
        }
        return result;
    }

    protected override RecurrentForecasterTransformer Bind(SegmentRecurrentForecaster model, Device device, TrainingResult result)
    {
        var core = new ForecasterCore(model, scaler!.Mean.ToArray(), scaler.Std.ToArray(), device,
            covariateScaler?.Mean.ToArray(), covariateScaler?.Std.ToArray());
        var columns = new ForecasterColumns(options.TargetColumnNames.ToArray(), Outputs(options), options.KnownCovariateColumns.ToArray(), options.MissingValues);
        return new RecurrentForecasterTransformer(core, columns,
            options.ConfidenceLevel, options.PredictionBatchSize, result);
    }
}
