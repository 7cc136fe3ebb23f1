using RnnMl.Text.Internal;
using RnnMl.Torch.Text;

namespace RnnMl.MLNet.Classification;

/// <summary>
/// A trained recurrent text classifier. Adds ML.NET's classification columns: for binary, <c>Score</c> (Single, the
/// margin), <c>Probability</c> (Single) and <c>PredictedLabel</c> (Boolean); for multiclass, <c>Score</c>
/// (Vector&lt;Single, K&gt;, class probabilities) and <c>PredictedLabel</c> (a key with the label's values). With several
/// <see cref="Members"/> (<see cref="RecurrentTextClassifierOptions.EnsembleSize"/>, 3 by default) the probabilities are
/// the members' mean and the scores follow from them.
/// </summary>
/// <remarks>
/// <c>Transform</c> scores rows in batches; <c>PredictionEngine</c> scores one row at a time (thread safety and saving:
/// <see cref="RecurrentTransformer"/>).
/// <para>
/// Scores of the same row can differ in the last bits between batch <c>Transform</c> and one-row
/// <c>PredictionEngine</c> calls, because libtorch's CPU kernels round differently for different batch shapes; a saved and
/// reloaded model gives bit-identical scores for the same calls.
/// </para>
/// </remarks>
public sealed class RecurrentTextClassifierTransformer : RecurrentTransformer
{
    internal RecurrentTextClassifierTransformer(ClassifierCore core, OutputColumns outputs, string textColumnName, int predictionBatchSize,
        TrainingResult? training, IReadOnlyList<TrainingResult>? memberTraining = null)
        : base(core.Gate, predictionBatchSize, training)
        => (Core, Outputs, TextColumnName, MemberTrainingResults) = (core, outputs, textColumnName, memberTraining?.ToArray());

    internal ClassifierCore Core { get; }
    internal OutputColumns Outputs { get; }

    /// <summary>Binary or multiclass.</summary>
    public ClassificationKind Kind { get { Core.Gate.ThrowIfClosed(); return Outputs.Kind; } }

    /// <summary>The input column the model reads.</summary>
    public string TextColumnName { get { Core.Gate.ThrowIfClosed(); return field; } }

    /// <summary>The number of classes (2 for binary).</summary>
    public int ClassCount { get { Core.Gate.ThrowIfClosed(); return Outputs.ClassCount; } }

    /// <summary>The label's key values in class order (multiclass with a named key); null otherwise.</summary>
    public IReadOnlyList<string>? ClassNames { get { Core.Gate.ThrowIfClosed(); return Outputs.ClassNames; } }

    /// <summary>The network (the first of <see cref="Members"/> for an ensemble). Do not switch it to training mode while the
    /// transformer is in use.</summary>
    public SequenceClassifier Model { get { Core.Gate.ThrowIfClosed(); return Core.Model.Members[0]; } }

    /// <summary>The networks whose mean probabilities the transformer predicts: one, or
    /// <see cref="RecurrentTextClassifierOptions.EnsembleSize"/> (fewer if training was cancelled or a member failed).</summary>
    public IReadOnlyList<SequenceClassifier> Members { get { Core.Gate.ThrowIfClosed(); return Core.Model.Members; } }

    /// <summary>Each member's training history, in the order of <see cref="Members"/> (the first is
    /// <see cref="RecurrentTransformer.TrainingResult"/>); null for a loaded model.</summary>
    public IReadOnlyList<TrainingResult>? MemberTrainingResults { get { Core.Gate.ThrowIfClosed(); return field; } }

    /// <summary>The vocabulary built in <c>Fit</c> (null for a key-typed input column, whose keys are the vocabulary).</summary>
    public Vocabulary? Vocabulary { get { Core.Gate.ThrowIfClosed(); return Core.Encoder.Vocabulary; } }

    private protected override IArchiveFormat Archive => ClassifierArchive.Format;

    private protected override void Release() => Core.Model.Dispose();

    private protected override IRowBinding CreateBinding(DataViewSchema inputSchema) => new ScoringBinding(Core, Outputs, TextColumnName, inputSchema);
}
