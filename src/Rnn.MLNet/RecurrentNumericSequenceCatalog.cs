using RnnMl.MLNet.NumericSequence;
using RnnMl.Torch.Layers;

namespace RnnMl.MLNet;

/// <summary>Adds the recurrent numeric-sequence trainer to ML.NET's regression, binary and multiclass trainer catalogs:
/// each row's <c>Vector&lt;Single&gt;</c> features column holds a whole sequence of T steps of F values.</summary>
/// <example>
/// <code>
/// var regression = ml.Regression.Trainers.RecurrentNumericSequence(featuresPerStep: 3);
/// var multi = ml.Transforms.Conversion.MapValueToKey("Label")
///     .Append(ml.MulticlassClassification.Trainers.RecurrentNumericSequence(new RecurrentNumericSequenceOptions { FeaturesPerStep = 3, Epochs = 20 }))
///     .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
/// </code>
/// </example>
public static class RecurrentNumericSequenceCatalog
{
    /// <summary>A recurrent regressor of whole numeric sequences (Single label). Outputs Score.</summary>
    /// <param name="catalog"><c>mlContext.Regression.Trainers</c>.</param>
    /// <param name="labelColumnName">The Single label column. Default "Label".</param>
    /// <param name="featuresColumnName">The <c>Vector&lt;Single&gt;</c> column of T·F values. Default "Features".</param>
    /// <param name="featuresPerStep">F, values per time step. Default 1.</param>
    /// <param name="cell">The recurrent cell. Default GRU.</param>
    /// <param name="hiddenSize">Hidden size. Default 64.</param>
    /// <param name="missingValues">Refuse (default) or forward-fill NaN and ±∞ feature values.</param>
    /// <param name="epochs">Training epochs at most. Default 30.</param>
    public static RecurrentNumericSequenceTrainer RecurrentNumericSequence(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featuresColumnName = "Features", int featuresPerStep = 1, RecurrentCellKind cell = RecurrentCellKind.Gru,
        int hiddenSize = 64, MissingValuePolicy missingValues = MissingValuePolicy.Error, int epochs = 30)
        => RecurrentNumericSequence(catalog, Options(labelColumnName, featuresColumnName, featuresPerStep, cell, hiddenSize, missingValues, epochs));

    /// <summary>A recurrent regressor of whole numeric sequences with all options.</summary>
    /// <param name="catalog"><c>mlContext.Regression.Trainers</c>.</param>
    /// <param name="options">The options; validated here.</param>
    public static RecurrentNumericSequenceTrainer RecurrentNumericSequence(this RegressionCatalog.RegressionTrainers catalog, RecurrentNumericSequenceOptions options)
        => new(EnvironmentAccess.From(catalog), options, NumericSequenceTask.Regression);

    /// <summary>A recurrent binary classifier of whole numeric sequences (Boolean label). Outputs Score, Probability and PredictedLabel.</summary>
    /// <param name="catalog"><c>mlContext.BinaryClassification.Trainers</c>.</param>
    /// <param name="labelColumnName">The Boolean label column. Default "Label".</param>
    /// <param name="featuresColumnName">The <c>Vector&lt;Single&gt;</c> column of T·F values. Default "Features".</param>
    /// <param name="featuresPerStep">F, values per time step. Default 1.</param>
    /// <param name="cell">The recurrent cell. Default GRU.</param>
    /// <param name="hiddenSize">Hidden size. Default 64.</param>
    /// <param name="missingValues">Refuse (default) or forward-fill NaN and ±∞ feature values.</param>
    /// <param name="epochs">Training epochs at most. Default 30.</param>
    public static RecurrentNumericSequenceTrainer RecurrentNumericSequence(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label", string featuresColumnName = "Features", int featuresPerStep = 1, RecurrentCellKind cell = RecurrentCellKind.Gru,
        int hiddenSize = 64, MissingValuePolicy missingValues = MissingValuePolicy.Error, int epochs = 30)
        => RecurrentNumericSequence(catalog, Options(labelColumnName, featuresColumnName, featuresPerStep, cell, hiddenSize, missingValues, epochs));

    /// <summary>A recurrent binary classifier of whole numeric sequences with all options.</summary>
    /// <param name="catalog"><c>mlContext.BinaryClassification.Trainers</c>.</param>
    /// <param name="options">The options; validated here.</param>
    public static RecurrentNumericSequenceTrainer RecurrentNumericSequence(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RecurrentNumericSequenceOptions options)
        => new(EnvironmentAccess.From(catalog), options, NumericSequenceTask.BinaryClassification);

    /// <summary>A recurrent multiclass classifier of whole numeric sequences (key label; the class count is the key count). Outputs Score and PredictedLabel.</summary>
    /// <param name="catalog"><c>mlContext.MulticlassClassification.Trainers</c>.</param>
    /// <param name="labelColumnName">The key label column. Default "Label".</param>
    /// <param name="featuresColumnName">The <c>Vector&lt;Single&gt;</c> column of T·F values. Default "Features".</param>
    /// <param name="featuresPerStep">F, values per time step. Default 1.</param>
    /// <param name="cell">The recurrent cell. Default GRU.</param>
    /// <param name="hiddenSize">Hidden size. Default 64.</param>
    /// <param name="missingValues">Refuse (default) or forward-fill NaN and ±∞ feature values.</param>
    /// <param name="epochs">Training epochs at most. Default 30.</param>
    public static RecurrentNumericSequenceTrainer RecurrentNumericSequence(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featuresColumnName = "Features", int featuresPerStep = 1, RecurrentCellKind cell = RecurrentCellKind.Gru,
        int hiddenSize = 64, MissingValuePolicy missingValues = MissingValuePolicy.Error, int epochs = 30)
        => RecurrentNumericSequence(catalog, Options(labelColumnName, featuresColumnName, featuresPerStep, cell, hiddenSize, missingValues, epochs));

    /// <summary>A recurrent multiclass classifier of whole numeric sequences with all options.</summary>
    /// <param name="catalog"><c>mlContext.MulticlassClassification.Trainers</c>.</param>
    /// <param name="options">The options; validated here.</param>
    public static RecurrentNumericSequenceTrainer RecurrentNumericSequence(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RecurrentNumericSequenceOptions options)
        => new(EnvironmentAccess.From(catalog), options, NumericSequenceTask.MulticlassClassification);

    private static RecurrentNumericSequenceOptions Options(string label, string features, int featuresPerStep, RecurrentCellKind cell, int hiddenSize,
        MissingValuePolicy missingValues, int epochs) => new()
    {
        LabelColumnName = label,
        FeaturesColumnName = features,
        FeaturesPerStep = featuresPerStep,
        Cell = cell,
        HiddenSize = hiddenSize,
        MissingValues = missingValues,
        Epochs = epochs,
    };
}
