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
        : base(env, options, "RnnMl.RecurrentTextClassifier", o => new ClassifierFit(o, kind), (o, shape) => ClassifierFit.OutputSchema(o, kind, shape))
    {
        Kind = kind;
    }

    /// <summary>Binary or multiclass.</summary>
    public ClassificationKind Kind { get; }
}
