namespace RnnMl.MLNet.NumericSequence;

/// <summary>
/// A trained recurrent numeric-sequence model. Adds ML.NET's columns: for regression <c>Score</c> (Single, in the
/// label's units); for binary classification <c>Score</c> (the margin), <c>Probability</c> and a Boolean
/// <c>PredictedLabel</c>; for multiclass <c>Score</c> (Vector&lt;Single, K&gt;, class probabilities) and a key
/// <c>PredictedLabel</c> with the label's key values. ML.NET's <c>Evaluate</c> of each catalog reads them.
/// </summary>
/// <remarks>
/// Each row's features are checked as in training: a length that is not a positive multiple of
/// <see cref="FeaturesPerStep"/>, or (without forward-fill) a NaN or ±∞, throws an <see cref="InvalidDataException"/>
/// naming the row (and the step and feature). Thread safety, batching and saving: <see cref="RecurrentTransformer"/>.
/// Scores of one row can differ in the last bits between batched <c>Transform</c> and one-row <c>PredictionEngine</c>
/// calls (libtorch rounds differently for different batch shapes); a reloaded model gives bit-identical scores.
/// </remarks>
public sealed class RecurrentNumericSequenceTransformer : RecurrentTransformer
{
    private readonly NumericSequenceTask task;
    private readonly string featuresColumnName;

    internal RecurrentNumericSequenceTransformer(NumericSequenceCore core, NumericSequenceTask task, string featuresColumnName,
        (string[] Names, OutputColumns? Classes) columns, int predictionBatchSize, TrainingResult? training)
        : base(core.Gate, predictionBatchSize, training)
        => (Core, this.task, this.featuresColumnName, Columns) = (core, task, featuresColumnName, columns);

    internal NumericSequenceCore Core { get; }
    internal (string[] Names, OutputColumns? Classes) Columns { get; }

    /// <summary>Regression, binary or multiclass classification.</summary>
    public NumericSequenceTask Task { get { Gate.ThrowIfClosed(); return task; } }

    /// <summary>The input column the model reads.</summary>
    public string FeaturesColumnName { get { Gate.ThrowIfClosed(); return featuresColumnName; } }

    /// <summary>F, the values per time step.</summary>
    public int FeaturesPerStep { get { Gate.ThrowIfClosed(); return Core.FeaturesPerStep; } }

    /// <summary>Whether missing values are forward-filled (else refused).</summary>
    public MissingValuePolicy MissingValues { get { Gate.ThrowIfClosed(); return Core.ForwardFill ? MissingValuePolicy.ForwardFill : MissingValuePolicy.Error; } }

    /// <summary>μ_f, the training rows' mean of each feature (subtracted before the model).</summary>
    public IReadOnlyList<double> FeatureMeans { get { Gate.ThrowIfClosed(); return Core.FeatureMeans; } }

    /// <summary>σ_f, the training rows' population std of each feature (1 where below 1e-8; divided by before the model).</summary>
    public IReadOnlyList<double> FeatureStds { get { Gate.ThrowIfClosed(); return Core.FeatureStds; } }

    /// <summary>The number of classes (2 for binary; 0 for regression).</summary>
    public int ClassCount { get { Gate.ThrowIfClosed(); return Columns.Classes?.ClassCount ?? 0; } }

    /// <summary>The label's key values in class order (multiclass with a named key); null otherwise.</summary>
    public IReadOnlyList<string>? ClassNames { get { Gate.ThrowIfClosed(); return Columns.Classes?.ClassNames; } }

    /// <summary>The network (it reads standardised features). Do not switch it to training mode while the transformer is in use.</summary>
    public NumericSequenceModel Model { get { Gate.ThrowIfClosed(); return Core.Model; } }

    private protected override IArchiveFormat Archive => NumericSequenceArchive.Format;

    private protected override void Release() => Core.Model.Dispose();

    private protected override IRowBinding CreateBinding(DataViewSchema inputSchema) =>
        new NumericSequenceBinding(Core, featuresColumnName, Columns.Classes, Columns.Classes is null ? Columns.Names[0] : null, inputSchema);
}
