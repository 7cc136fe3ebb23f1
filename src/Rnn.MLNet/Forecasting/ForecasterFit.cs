using RnnMl.Text.Series;
using RnnMl.Torch.Forecasting;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Forecasting;

/// <summary>The forecaster's plug-in to the fit pipeline: rows are time steps (typed <c>float[]</c> of the C targets), the
/// last rows validate, channels are z-scored with the training rows' mean and std, windows of L + H rows train a
/// <see cref="SegmentRecurrentForecaster"/> with a quantile head through <see cref="ForecastingTrainingTask"/>.</summary>
internal sealed class ForecasterFit(RecurrentForecasterOptions options)
    : TaskFit<float[], SegmentRecurrentForecaster, RecurrentForecasterTransformer>
{
    private bool separateValidation;
    private ChannelScaler? scaler;
    private SlidingWindows? trainWindows, validWindows;

    /// <summary>The output names of every target (forecast, lower, upper bound per target).</summary>
    public static string[] Outputs(RecurrentForecasterOptions o) =>
        o.TargetColumnNames.SelectMany(t => RecurrentForecasterOptions.OutputNames(t, o.ForecastColumnSuffix, o.LowerBoundColumnSuffix, o.UpperBoundColumnSuffix)).ToArray();

    /// <summary>The input shape with the forecast and bound columns added; checks that every target is a scalar Single.</summary>
    public static SchemaShape OutputSchema(RecurrentForecasterOptions options, SchemaShape input)
    {
        foreach (var name in options.TargetColumnNames)
        {
            var column = ColumnCheck.Require(input, name, "target");
            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single || column.IsKey)
                throw ColumnCheck.Mismatch("target", name, "Single", ColumnCheck.Describe(column));
        }
        return SchemaShapes.Forecaster(input, Outputs(options));
    }

    /// <summary>Time order matters: the last time steps validate, never random rows.</summary>
    protected override bool HoldOutLastRows => true;

    protected override string NoTrainingRows => "no training rows";

    protected override int TrainingExamples => trainWindows!.Count;

    protected override List<float[]> Read(IDataView data, string what, FitContext context)
    {
        var rows = SeriesRows.Read(data, options.TargetColumnNames, what);
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
        var trainSeries = SeriesRows.ToSeries(train, options.TargetColumnNames);
        scaler = ChannelScaler.Fit(trainSeries);
        trainWindows = SlidingWindows.Create(scaler.Transform(trainSeries), l, h);
        if (separateValidation)
            validWindows = SlidingWindows.Create(scaler.Transform(SeriesRows.ToSeries(valid, options.TargetColumnNames)), l, h);
        else if (valid.Count >= h)
        {
            // Held-out windows forecast only held-out rows; their inputs reach back into the training rows.
            var all = scaler.Transform(SeriesRows.ToSeries(train.Concat(valid).ToList(), options.TargetColumnNames));
            validWindows = SlidingWindows.Create(all, l, h, firstStart: Math.Max(0, train.Count - l));
        }
        else if (valid.Count > 0)
            context.Channel.Warning(MessageSensitivity.None, $"the {valid.Count} held-out rows are fewer than the horizon {h}: training without validation (raise ValidationFraction)");
        context.Channel.Info(MessageSensitivity.None,
            $"{train.Count} training and {valid.Count} validation time steps, {trainWindows.Count} and {validWindows?.Count ?? 0} windows of {l} + {h} steps, {options.TargetColumnNames.Length} channel(s), seed {context.Seed}");
    }

    protected override SegmentRecurrentForecaster CreateModel(Device device) =>
        SegmentRecurrentForecaster.Create(options.Lookback, options.Horizon, options.SegmentLength, options.HiddenSize, options.Dropout,
            quantiles: options.QuantileLevels, device: device);

    protected override TrainingResult Train(SegmentRecurrentForecaster model, Trainer trainer, IProgress<TrainingProgress> progress, CancellationToken token, Device device)
    {
        using var task = new ForecastingTrainingTask(model, trainWindows!, validWindows, options.BatchSize, options.PredictionBatchSize, device: device);
        return trainer.Fit(task, progress, token);
    }

    protected override RecurrentForecasterTransformer Bind(SegmentRecurrentForecaster model, Device device, TrainingResult result)
    {
        var core = new ForecasterCore(model, scaler!.Mean.ToArray(), scaler.Std.ToArray(), device);
        return new RecurrentForecasterTransformer(core, new ForecasterColumns(options.TargetColumnNames.ToArray(), Outputs(options)),
            options.ConfidenceLevel, options.PredictionBatchSize, result);
    }
}
