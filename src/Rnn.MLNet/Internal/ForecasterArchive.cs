using RnnMl.MLNet.Forecasting;
using RnnMl.Torch.Forecasting;
using RnnMl.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>How a <see cref="RecurrentForecasterTransformer"/> is written to and rebuilt from a model archive.</summary>
internal sealed class ForecasterArchive : ArchiveFormat<RecurrentForecasterTransformer, ForecasterArchive.Metadata>
{
    public static readonly ForecasterArchive Format = new();

    public override string Kind => "Forecaster";

    protected override Metadata Describe(RecurrentForecasterTransformer t)
    {
        var model = t.Core.Model;
        return new Metadata
        {
            TargetColumnNames = t.Columns.Targets,
            OutputColumnNames = t.Columns.Outputs,
            Lookback = model.Lookback,
            Horizon = model.Horizon,
            SegmentLength = model.SegmentLength,
            HiddenSize = model.HiddenSize,
            Quantiles = model.Quantiles.ToArray(),
            ConfidenceLevel = t.Level,
            Mean = t.Core.Mean,
            Std = t.Core.Std,
            ChannelMode = model.ChannelMode,
            OutputMode = model.OutputMode,
            CovariateColumnNames = t.Columns.Covariates,
            CovariateMean = t.Core.CovariateMean,
            CovariateStd = t.Core.CovariateStd,
            MissingValues = t.Columns.MissingValues,
            IntervalScale = model.IntervalScale,
            PredictionBatchSize = t.PredictionBatchSize,
        };
    }

    protected override torch.nn.Module Weights(RecurrentForecasterTransformer t) => t.Core.Model;

    protected override IArchivedTransformer Rebuild(ArchiveEntries entries, Metadata meta, MetadataCheck check)
    {
        check.Require(meta.TargetColumnNames is { Length: > 0 } targets && targets.All(n => !string.IsNullOrWhiteSpace(n)), "has no target column names");
        int c = meta.TargetColumnNames!.Length;
        check.Require(meta.OutputColumnNames is { } outputs && outputs.Length == 3 * c && outputs.All(n => !string.IsNullOrWhiteSpace(n)),
            $"has {meta.OutputColumnNames?.Length} output column names for {c} targets (3 per target)");
        check.Require(meta.Mean is { } mean && mean.Length == c && mean.All(double.IsFinite), $"has no finite mean per target ({c})");
        check.Require(meta.Std is { } std && std.Length == c && std.All(s => double.IsFinite(s) && s > 0), $"has no positive std per target ({c})");
        var covariates = meta.CovariateColumnNames ?? [];
        int k = covariates.Length;
        check.Require(covariates.All(n => !string.IsNullOrWhiteSpace(n)), "has an empty covariate column name");
        check.Require((meta.CovariateMean ?? []).Length == k && (meta.CovariateMean ?? []).All(double.IsFinite), $"has no finite mean per covariate ({k})");
        check.Require((meta.CovariateStd ?? []).Length == k && (meta.CovariateStd ?? []).All(s => double.IsFinite(s) && s > 0), $"has no positive std per covariate ({k})");
        check.Require(Enum.IsDefined(meta.ChannelMode) && Enum.IsDefined(meta.OutputMode) && Enum.IsDefined(meta.MissingValues),
            $"has channel mode {meta.ChannelMode}, output mode {meta.OutputMode}, missing values {meta.MissingValues}");
        check.AtLeast(meta.Lookback, 1, nameof(meta.Lookback));
        check.AtLeast(meta.Horizon, 1, nameof(meta.Horizon));
        check.AtLeast(meta.SegmentLength, 1, nameof(meta.SegmentLength));
        check.AtLeast(meta.HiddenSize, 1, nameof(meta.HiddenSize));
        check.Require(meta.Lookback % meta.SegmentLength == 0 && meta.Lookback <= 1_000_000 && meta.Horizon <= 1_000_000 && meta.HiddenSize <= 65_536,
            $"has lookback {meta.Lookback}, horizon {meta.Horizon}, segment {meta.SegmentLength}, hidden size {meta.HiddenSize}: out of range");
        check.Require(meta.Quantiles is { Length: >= 2 } q && q.All(x => x > 0 && x < 1), "has no quantile levels in (0, 1)");
        check.Require(meta.ConfidenceLevel > 0 && meta.ConfidenceLevel < 1, $"has confidence level {meta.ConfidenceLevel}");
        // The GRU alone has 3·2·D² weights.
        check.WeightsHold(6L * meta.HiddenSize * meta.HiddenSize);
        SegmentRecurrentForecaster model;
        try
        {
            model = SegmentRecurrentForecaster.Create(meta.Lookback, meta.Horizon, meta.SegmentLength, meta.HiddenSize, quantiles: meta.Quantiles,
                channelMode: meta.ChannelMode, channels: meta.ChannelMode == ForecasterChannelMode.Joint ? c : 0, covariates: k, outputMode: meta.OutputMode);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"'{entries.File}' is corrupt: '{entries.Prefix}meta.json' has invalid model settings: {e.Message}", e); }
        LoadWeights(entries, model);
        check.Require(meta.IntervalScale is null or (> 0 and < double.PositiveInfinity), $"has interval scale {meta.IntervalScale}");
        model.IntervalScale = meta.IntervalScale ?? 1;
        var core = new ForecasterCore(model, meta.Mean!, meta.Std!, CPU, meta.CovariateMean, meta.CovariateStd);
        var columns = new ForecasterColumns(meta.TargetColumnNames, meta.OutputColumnNames!, covariates, meta.MissingValues);
        return new RecurrentForecasterTransformer(core, columns, meta.ConfidenceLevel, meta.PredictionBatchSize, training: null);
    }

    /// <summary>What is saved next to a forecaster's weights to rebuild it.</summary>
    internal sealed record Metadata : IArchiveMetadata
    {
        public int FormatVersion { get; init; } = 1;
        public string[]? TargetColumnNames { get; init; }
        public string[]? OutputColumnNames { get; init; }
        public int Lookback { get; init; }
        public int Horizon { get; init; }
        public int SegmentLength { get; init; }
        public int HiddenSize { get; init; }
        public double[]? Quantiles { get; init; }
        public double ConfidenceLevel { get; init; }
        public double[]? Mean { get; init; }
        public double[]? Std { get; init; }
        public int PredictionBatchSize { get; init; }
        // Absent from archives written before the joint mode, covariates and recursive output: their defaults.
        public ForecasterChannelMode ChannelMode { get; init; }
        public ForecastOutputMode OutputMode { get; init; }
        public string[]? CovariateColumnNames { get; init; }
        public double[]? CovariateMean { get; init; }
        public double[]? CovariateStd { get; init; }
        public MissingValuePolicy MissingValues { get; init; }
        public double? IntervalScale { get; init; }
    }
}
