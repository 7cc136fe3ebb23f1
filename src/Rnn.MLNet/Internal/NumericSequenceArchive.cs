using RnnMl.MLNet.NumericSequence;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>How a <see cref="RecurrentNumericSequenceTransformer"/> is written to and rebuilt from a model archive.</summary>
internal sealed class NumericSequenceArchive : ArchiveFormat<RecurrentNumericSequenceTransformer, NumericSequenceArchive.Metadata>
{
    public static readonly NumericSequenceArchive Format = new();

    public override string Kind => "NumericSequence";

    protected override Metadata Describe(RecurrentNumericSequenceTransformer t)
    {
        var core = t.Core;
        return new Metadata
        {
            Task = t.Task,
            FeaturesColumnName = t.FeaturesColumnName,
            OutputColumnNames = t.Columns.Names,
            ClassNames = t.Columns.Classes?.ClassNames,
            FeatureMeans = core.FeatureMeans,
            FeatureStds = core.FeatureStds,
            LabelMean = core.LabelMean,
            LabelStd = core.LabelStd,
            MissingValues = t.MissingValues,
            PredictionBatchSize = t.PredictionBatchSize,
            Model = core.Model.Options,
        };
    }

    protected override torch.nn.Module Weights(RecurrentNumericSequenceTransformer t) => t.Core.Model;

    protected override IArchivedTransformer Rebuild(ArchiveEntries entries, Metadata meta, MetadataCheck check)
    {
        check.Defined(meta.Task, nameof(meta.Task));
        check.Defined(meta.MissingValues, nameof(meta.MissingValues));
        check.Column(meta.FeaturesColumnName, nameof(meta.FeaturesColumnName));
        int outputCount = meta.Task switch { NumericSequenceTask.Regression => 1, NumericSequenceTask.BinaryClassification => 3, _ => 2 };
        check.Require(meta.OutputColumnNames is { } n && n.Length == outputCount && n.All(c => !string.IsNullOrWhiteSpace(c)),
            $"has {nameof(meta.OutputColumnNames)} [{string.Join(", ", meta.OutputColumnNames ?? [])}]; {meta.Task} needs {outputCount} non-empty names");
        var options = check.Options(meta.Model, o => o.Validate(), nameof(meta.Model));
        int f = options.FeaturesPerStep;
        check.Require(meta.FeatureMeans is { } mean && mean.Length == f && mean.All(double.IsFinite), $"has no finite mean per feature ({f})");
        check.Require(meta.FeatureStds is { } std && std.Length == f && std.All(s => double.IsFinite(s) && s > 0), $"has no positive std per feature ({f})");
        check.Require(double.IsFinite(meta.LabelMean) && double.IsFinite(meta.LabelStd) && meta.LabelStd > 0, $"has label mean {meta.LabelMean} and std {meta.LabelStd}");
        var head = meta.Task == NumericSequenceTask.Regression ? NumericSequenceHead.Regression : NumericSequenceHead.Classification;
        check.Require(options.Head == head && (meta.Task != NumericSequenceTask.Regression || options.Outputs == 1)
            && (meta.Task != NumericSequenceTask.BinaryClassification || options.Outputs == 2),
            $"describes a {meta.Task} model with head {options.Head} and {options.Outputs} outputs");
        check.Require(meta.ClassNames is null || (meta.Task == NumericSequenceTask.MulticlassClassification && meta.ClassNames.Length == options.Outputs && meta.ClassNames.All(c => c is not null)),
            $"has {meta.ClassNames?.Length} class names for {options.Outputs} outputs");
        check.Require(f <= 1_000_000 && options.HiddenSize <= 65_536 && options.ProjectionSize <= 65_536 && options.NumLayers <= 64,
            $"has features per step {f}, hidden size {options.HiddenSize}, projection {options.ProjectionSize}, layers {options.NumLayers}: out of range");
        check.WeightsHold(ParameterBudget.LowerBound(options));
        var model = LoadWeights(entries, NumericSequenceModel.Create(options));
        var names = meta.OutputColumnNames!;
        var columns = meta.Task switch
        {
            NumericSequenceTask.Regression => NumericSequenceFit.Columns(meta.Task, 0, null, names[0], "", ""),
            NumericSequenceTask.BinaryClassification => NumericSequenceFit.Columns(meta.Task, 2, null, names[0], names[1], names[2]),
            _ => NumericSequenceFit.Columns(meta.Task, options.Outputs, meta.ClassNames, names[0], "", names[1]),
        };
        var core = new NumericSequenceCore(model, meta.FeatureMeans!, meta.FeatureStds!, meta.LabelMean, meta.LabelStd, meta.MissingValues == MissingValuePolicy.ForwardFill, CPU);
        return new RecurrentNumericSequenceTransformer(core, meta.Task, meta.FeaturesColumnName, columns, meta.PredictionBatchSize, training: null);
    }

    /// <summary>What is saved next to a numeric-sequence model's weights to rebuild it.</summary>
    internal sealed record Metadata : IArchiveMetadata
    {
        public int FormatVersion { get; init; } = 1;
        public NumericSequenceTask Task { get; init; }
        public string FeaturesColumnName { get; init; } = "";
        public string[]? OutputColumnNames { get; init; }
        public string[]? ClassNames { get; init; }
        public double[]? FeatureMeans { get; init; }
        public double[]? FeatureStds { get; init; }
        public double LabelMean { get; init; }
        public double LabelStd { get; init; } = 1;
        public MissingValuePolicy MissingValues { get; init; }
        public int PredictionBatchSize { get; init; }
        public NumericSequenceOptions? Model { get; init; }
    }
}
