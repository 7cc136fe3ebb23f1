namespace RnnMl.MLNet.NumericSequence;

/// <summary>
/// Trains a recurrent model over whole numeric sequences (linear projection of each step's F features → RNN/LSTM/GRU
/// encoder → pooling → linear head) inside an ML.NET pipeline, for regression, binary or multiclass classification.
/// Created by <c>RecurrentNumericSequence(...)</c> on <c>mlContext.Regression.Trainers</c>,
/// <c>mlContext.BinaryClassification.Trainers</c> or <c>mlContext.MulticlassClassification.Trainers</c>.
/// </summary>
/// <example>
/// <code>
/// // Rows: Features (float[], T·2 values, T may vary) and Label (bool).
/// var trainer = ml.BinaryClassification.Trainers.RecurrentNumericSequence(featuresPerStep: 2);
/// var model = trainer.Fit(train);
/// var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
/// </code>
/// </example>
public sealed class RecurrentNumericSequenceTrainer : RecurrentEstimator<RecurrentNumericSequenceOptions, RecurrentNumericSequenceTransformer>
{
    internal RecurrentNumericSequenceTrainer(IHostEnvironment env, RecurrentNumericSequenceOptions options, NumericSequenceTask task)
        : base(env, options, "RnnMl.RecurrentNumericSequence", o => new NumericSequenceFit(o, task), (o, shape) => NumericSequenceFit.OutputSchema(o, task, shape))
    {
        Task = task;
        Settings.Task = task;
    }

    /// <summary>Regression, binary or multiclass classification.</summary>
    public NumericSequenceTask Task { get; }
}
