using RnnMl.MLNet.Classification;
using static TorchSharp.torch;

namespace RnnMl.MLNet.NumericSequence;

/// <summary>The numeric-sequence trainers' plug-in to the fit pipeline: typed rows (the features' T·F values, the label
/// as a regression value or class id), per-feature standardisation learnt from the training rows,
/// <see cref="NumericSequenceTrainingTask"/>, and ML.NET's regression or classification columns.</summary>
internal sealed class NumericSequenceFit(RecurrentNumericSequenceOptions options, NumericSequenceTask task)
    : TaskFit<(float[] Values, float Label), NumericSequenceModel, RecurrentNumericSequenceTransformer>
{
    private int classCount = -1;
    private string[]? classNames;
    private double[] means = [], stds = [];
    private double labelMean, labelStd = 1;
    private List<float[]> trainValues = [], validValues = [];
    private List<float> trainLabels = [], validLabels = [];

    private bool Regression => task == NumericSequenceTask.Regression;

    private ClassificationKind Kind => task == NumericSequenceTask.BinaryClassification ? ClassificationKind.Binary : ClassificationKind.Multiclass;

    /// <summary>The input shape with the output columns added; checks the features and label columns.</summary>
    public static SchemaShape OutputSchema(RecurrentNumericSequenceOptions options, NumericSequenceTask task, SchemaShape input)
    {
        var features = ColumnCheck.Require(input, options.FeaturesColumnName);
        if (features.Kind == SchemaShape.Column.VectorKind.Scalar || features.IsKey || features.ItemType != NumberDataViewType.Single)
            throw ColumnCheck.Mismatch("input", options.FeaturesColumnName, "Vector<Single>", ColumnCheck.Describe(features));
        var label = ColumnCheck.Require(input, options.LabelColumnName, "label");
        bool scalar = label.Kind == SchemaShape.Column.VectorKind.Scalar;
        switch (task)
        {
            case NumericSequenceTask.Regression:
                if (!scalar || label.IsKey || label.ItemType != NumberDataViewType.Single)
                    throw ColumnCheck.Mismatch("label", options.LabelColumnName, "Single", ColumnCheck.Describe(label));
                return SchemaShapes.Regression(input, options.ScoreColumnName);
            case NumericSequenceTask.BinaryClassification:
                if (!scalar || label.ItemType is not BooleanDataViewType)
                    throw ColumnCheck.Mismatch("label", options.LabelColumnName, "Boolean", ColumnCheck.Describe(label));
                return SchemaShapes.Classifier(input, ClassificationKind.Binary, 2, false, options.ScoreColumnName, options.ProbabilityColumnName, options.PredictedLabelColumnName);
            default:
                if (!scalar || !label.IsKey || label.ItemType.RawType != typeof(uint))
                    throw ColumnCheck.Mismatch("label", options.LabelColumnName, "Key<UInt32>", ColumnCheck.Describe(label));
                // Shapes record no key counts; any count will do here.
                return SchemaShapes.Classifier(input, ClassificationKind.Multiclass, 2, label.Annotations.Any(a => a.Name == "KeyValues"),
                    options.ScoreColumnName, options.ProbabilityColumnName, options.PredictedLabelColumnName);
        }
    }

    protected override string NoTrainingRows => $"no training rows with a label in column '{options.LabelColumnName}'";

    protected override int TrainingExamples => trainValues.Count;

    protected override List<(float[] Values, float Label)> Read(IDataView data, string what, FitContext context)
    {
        var features = NumericSequenceBinding.RequireFeatures(data.Schema, options.FeaturesColumnName);
        DataViewSchema.Column label;
        Func<DataViewRow, Func<float>> labelGetter;
        if (Regression)
        {
            label = ColumnCheck.Require(data.Schema, options.LabelColumnName, "label");
            if (label.Type != NumberDataViewType.Single)
                throw ColumnCheck.Mismatch("label", options.LabelColumnName, "Single", label.Type.ToString());
            labelGetter = row => { var g = row.GetGetter<float>(label); float v = 0; return () => { g(ref v); return v; }; };
        }
        else
        {
            var (column, classes, names) = LabelColumns.Read(data.Schema, options.LabelColumnName, Kind);
            if (classCount < 0) (classCount, classNames) = (classes, names);
            else if (classes != classCount)
                throw new ArgumentOutOfRangeException("validationData", $"Schema mismatch for validation label '{options.LabelColumnName}': expected {classCount} classes like the training data, got {classes}");
            label = column;
            labelGetter = row => { var g = LabelColumns.Getter(row, column, Kind); return () => g() is var y && y < 0 ? float.NaN : y; };
        }

        var rows = new List<(float[], float)>();
        long missing = 0, index = 0;
        var prepare = new Func<float[], long, float[]>((values, row) => NumericSteps(values, row, what));
        using var cursor = data.GetRowCursor(new[] { features, label });
        var getFeatures = NumericSequenceBinding.FeatureReader(cursor, features, prepare, () => index);
        var getLabel = labelGetter(cursor);
        for (; cursor.MoveNext(); index++)
        {
            float y = getLabel();
            if (!float.IsFinite(y)) { missing++; continue; }
            rows.Add((getFeatures(), y));
        }
        if (missing > 0)
            context.Channel.Warning(MessageSensitivity.None, $"skipped {missing} {what} row(s) whose label is missing");
        return rows;
    }

    private float[] NumericSteps(float[] values, long row, string what) => Text.Internal.NumericSteps.Prepare(values, options.FeaturesPerStep,
        options.MissingValues == MissingValuePolicy.ForwardFill, $"{what} row {row} of column '{options.FeaturesColumnName}'", m => new InvalidDataException(m));

    protected override void Prepare(List<(float[] Values, float Label)> train, List<(float[] Values, float Label)> valid, FitContext context)
    {
        int f = options.FeaturesPerStep;
        (means, stds) = Moments(train.SelectMany(r => r.Values.Select((v, k) => (k % f, (double)v))), f);
        if (Regression)
        {
            var (m, s) = Moments(train.Select(r => (0, (double)r.Label)), 1);
            (labelMean, labelStd) = (m[0], s[0]);
        }
        float Label(float y) => Regression ? (float)((y - labelMean) / labelStd) : y;
        trainValues = train.Select(r => NumericSequenceCore.Standardise(r.Values, means, stds)).ToList();
        validValues = valid.Select(r => NumericSequenceCore.Standardise(r.Values, means, stds)).ToList();
        (trainLabels, validLabels) = (train.Select(r => Label(r.Label)).ToList(), valid.Select(r => Label(r.Label)).ToList());
        int steps = train.Sum(r => r.Values.Length / f);
        context.Channel.Info(MessageSensitivity.None, $"{train.Count} training rows ({steps} steps of {f} features), {valid.Count} validation rows, " +
            (Regression ? $"label mean {labelMean:G4} std {labelStd:G4}" : $"{classCount} classes") + $", seed {context.Seed}");
    }

    /// <summary>Mean and population std per index over (index, value) pairs; a std below 1e-8 becomes 1.</summary>
    private static (double[] Mean, double[] Std) Moments(IEnumerable<(int Index, double Value)> values, int count)
    {
        var sum = new double[count];
        var squares = new double[count];
        var n = new long[count];
        foreach (var (i, v) in values) { sum[i] += v; squares[i] += v * v; n[i]++; }
        var mean = new double[count];
        var std = new double[count];
        for (int i = 0; i < count; i++)
        {
            mean[i] = n[i] == 0 ? 0 : sum[i] / n[i];
            double variance = n[i] == 0 ? 0 : Math.Max(0, squares[i] / n[i] - mean[i] * mean[i]);
            std[i] = Math.Sqrt(variance) is var s && s >= Text.Series.ChannelScaler.DefaultStdFloor ? s : 1;
        }
        return (mean, std);
    }

    protected override NumericSequenceModel CreateModel(Device device) => NumericSequenceModel.Create(
        options.ModelOptions(Regression ? 1 : classCount, Regression ? NumericSequenceHead.Regression : NumericSequenceHead.Classification), device);

    protected override TrainingResult Train(NumericSequenceModel model, Trainer trainer, IProgress<TrainingProgress> progress, CancellationToken token, Device device)
    {
        var trainingTask = Regression
            ? NumericSequenceTrainingTask.ForRegression(model, trainValues, trainLabels.Select(y => new[] { y }).ToList(), validValues,
                validLabels.Select(y => new[] { y }).ToList(), options.BatchSize, options.PredictionBatchSize, device)
            : NumericSequenceTrainingTask.ForClassification(model, trainValues, trainLabels.Select(y => (long)y).ToList(), validValues,
                validLabels.Select(y => (long)y).ToList(), options.BatchSize, options.PredictionBatchSize, device);
        return trainer.Fit(trainingTask, progress, token);
    }

    protected override RecurrentNumericSequenceTransformer Bind(NumericSequenceModel model, Device device, TrainingResult result)
    {
        var core = new NumericSequenceCore(model, means, stds, labelMean, labelStd, options.MissingValues == MissingValuePolicy.ForwardFill, device);
        return new RecurrentNumericSequenceTransformer(core, task, options.FeaturesColumnName, Columns(task, classCount, classNames, options.ScoreColumnName,
            options.ProbabilityColumnName, options.PredictedLabelColumnName), options.PredictionBatchSize, result);
    }

    /// <summary>The added columns' names (and, for classification, their types): regression [score]; binary [score,
    /// probability, predicted label]; multiclass [score, predicted label].</summary>
    internal static (string[] Names, OutputColumns? Classes) Columns(NumericSequenceTask task, int classCount, string[]? classNames, string score, string probability, string predicted)
        => task switch
        {
            NumericSequenceTask.Regression => ([score], null),
            NumericSequenceTask.BinaryClassification => ([score, probability, predicted], new OutputColumns(ClassificationKind.Binary, 2, score, probability, predicted, null)),
            _ => ([score, predicted], new OutputColumns(ClassificationKind.Multiclass, classCount, score, probability, predicted, classNames)),
        };
}
