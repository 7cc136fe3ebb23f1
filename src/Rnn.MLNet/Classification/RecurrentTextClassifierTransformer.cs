using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.Internal;
using RnnMl.Text.Internal;
using RnnMl.Torch.Models;
using RnnMl.Text;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;

namespace RnnMl.MLNet.Classification;

/// <summary>
/// A trained recurrent text classifier. Adds ML.NET's classification columns: for binary, <c>Score</c> (Single, the
/// margin), <c>Probability</c> (Single) and <c>PredictedLabel</c> (Boolean); for multiclass, <c>Score</c>
/// (Vector&lt;Single, K&gt;, class probabilities) and <c>PredictedLabel</c> (a key with the label's values).
/// </summary>
/// <remarks>
/// <c>Transform</c> scores rows in batches; <c>PredictionEngine</c> scores one row at a time. The transformer is safe to use
/// from several threads at once. Save it with <see cref="RnnModelOperations.SaveRnnModel"/> and load it with
/// <see cref="RnnModelOperations.LoadRnnModel"/>: ML.NET's own model format cannot hold TorchSharp weights.
/// <para>
/// Scores of the same row can differ in the last bits between batch <c>Transform</c> and one-row
/// <c>PredictionEngine</c> calls, because libtorch's CPU kernels round differently for different batch shapes; a saved and
/// reloaded model gives bit-identical scores for the same calls.
/// </para>
/// </remarks>
public sealed class RecurrentTextClassifierTransformer : ITransformer, IDisposable, IArchivedTransformer
{
    internal RecurrentTextClassifierTransformer(ClassifierCore core, OutputColumns outputs, string textColumnName, int predictionBatchSize, TrainingResult? training)
    {
        Core = core;
        Outputs = outputs;
        TextColumnName = textColumnName;
        PredictionBatchSize = predictionBatchSize;
        TrainingResult = training;
    }

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

    /// <summary>Rows per batch in <c>Transform</c>.</summary>
    public int PredictionBatchSize { get { Core.Gate.ThrowIfClosed(); return field; } }

    /// <summary>The network. Do not switch it to training mode while the transformer is in use.</summary>
    public SequenceClassifier Model { get { Core.Gate.ThrowIfClosed(); return Core.Model; } }

    /// <summary>The vocabulary built in <c>Fit</c> (null for a key-typed input column, whose keys are the vocabulary).</summary>
    public Vocabulary? Vocabulary { get { Core.Gate.ThrowIfClosed(); return Core.Encoder.Vocabulary; } }

    /// <summary>The per-epoch history and how training ended; null for a loaded model.</summary>
    public TrainingResult? TrainingResult { get { Core.Gate.ThrowIfClosed(); return field; } }

    /// <inheritdoc />
    public bool IsRowToRowMapper { get { Core.Gate.ThrowIfClosed(); return true; } }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or of the wrong type.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).Output;

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new BindingRowMapper<long[], float[]>(Bind(inputSchema));

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchedDataView<long[], float[]>(input, Bind(input.Schema), PredictionBatchSize);
    }

    /// <summary>Called by ML.NET while saving; throws unless the save was started by <see cref="RnnModelOperations.SaveRnnModel"/>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ModelArchive.SaveTransformer(this, ctx);

    string IArchivedTransformer.ArchiveKind => ClassifierArchive.Kind;

    UsageGate IArchivedTransformer.Gate => Core.Gate;

    IEnumerable<(string Name, byte[] Bytes)> IArchivedTransformer.ArchiveEntries() => ClassifierArchive.Entries(this);

    /// <summary>Frees the network's native memory after the calls in flight on other threads have finished; afterwards
    /// every member throws <see cref="ObjectDisposedException"/>. Calling it again does nothing.</summary>
    public void Dispose() => Core.Dispose();

    private ScoringBinding Bind(DataViewSchema inputSchema)
    {
        Core.Gate.ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new ScoringBinding(Core, Outputs, TextColumnName, inputSchema);
    }
}
