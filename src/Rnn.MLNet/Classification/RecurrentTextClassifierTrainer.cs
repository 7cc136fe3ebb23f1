using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using RnnMl.MLNet.Internal;
using RnnMl.MLNet.Pipeline;

namespace RnnMl.MLNet.Classification;

/// <summary>
/// Trains a recurrent text classifier (embedding → RNN/LSTM/GRU encoder → pooling → linear) inside an ML.NET pipeline.
/// Created by <c>mlContext.BinaryClassification.Trainers.RecurrentTextClassifier(...)</c> or
/// <c>mlContext.MulticlassClassification.Trainers.RecurrentTextClassifier(...)</c>.
/// </summary>
/// <example>
/// <code>
/// var trainer = mlContext.BinaryClassification.Trainers.RecurrentTextClassifier(labelColumnName: "Label", textColumnName: "Text");
/// var model = trainer.Fit(trainData);
/// var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(testData));
/// </code>
/// </example>
public sealed class RecurrentTextClassifierTrainer : RecurrentEstimator<RecurrentTextClassifierOptions, RecurrentTextClassifierTransformer>
{
    internal RecurrentTextClassifierTrainer(IHostEnvironment env, RecurrentTextClassifierOptions options, ClassificationKind kind)
        : base(env, options, "RnnMl.RecurrentTextClassifier")
    {
        Kind = kind;
    }

    /// <summary>Binary or multiclass.</summary>
    public ClassificationKind Kind { get; }

    private protected override RecurrentTextClassifierTransformer Run(IDataView trainData, IDataView? validationData, FitContext context) =>
        new ClassifierFit(Settings, Kind).Run(trainData, validationData, context);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var options = Settings;
        var text = ColumnCheck.Require(inputSchema, options.TextColumnName);
        bool textOk = (text.Kind == SchemaShape.Column.VectorKind.Scalar && text.ItemType is TextDataViewType)
            || (text.Kind != SchemaShape.Column.VectorKind.Scalar && (text.ItemType is TextDataViewType || (text.IsKey && text.ItemType.RawType == typeof(uint))));
        if (!textOk)
            throw ColumnCheck.Mismatch("input", options.TextColumnName, "String, Vector<String> or Vector<Key<UInt32>>", ColumnCheck.Describe(text));
        var label = ColumnCheck.Require(inputSchema, options.LabelColumnName, "label");
        bool hasNames = false;
        if (Kind == ClassificationKind.Binary)
        {
            if (label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType is not BooleanDataViewType)
                throw ColumnCheck.Mismatch("label", options.LabelColumnName, "Boolean", ColumnCheck.Describe(label));
        }
        else
        {
            // In a SchemaShape a key column is IsKey with its raw type as ItemType (UInt32), and carries no key count.
            if (label.Kind != SchemaShape.Column.VectorKind.Scalar || !label.IsKey || label.ItemType.RawType != typeof(uint))
                throw ColumnCheck.Mismatch("label", options.LabelColumnName, "Key<UInt32>", ColumnCheck.Describe(label));
            hasNames = label.Annotations.Any(a => a.Name == "KeyValues");
        }
        // The class count is known only at Fit; shapes do not record vector sizes or key counts, so any count will do here.
        return SchemaShapes.Classifier(inputSchema, Kind, 2, hasNames, options.ScoreColumnName, options.ProbabilityColumnName, options.PredictedLabelColumnName);
    }
}
