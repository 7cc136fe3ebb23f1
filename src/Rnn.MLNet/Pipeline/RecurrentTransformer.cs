using RnnMl.Text.Internal;

namespace RnnMl.MLNet.Pipeline;

/// <summary>
/// The ML.NET transformer every RnnMl task shares: <c>Transform</c> in batches of <see cref="PredictionBatchSize"/>
/// rows, a row mapper for <c>PredictionEngine</c>, saving through <see cref="RnnModelOperations.SaveRnnModel"/>, and
/// disposal that waits for the calls in flight. A task supplies its output binding (which columns it reads and adds)
/// and its archive entries.
/// </summary>
/// <remarks>
/// Every RnnMl transformer is safe to use from several threads at once. Save it with
/// <see cref="RnnModelOperations.SaveRnnModel"/> and load it with <see cref="RnnModelOperations.LoadRnnModel"/>: ML.NET's
/// own model format cannot hold TorchSharp weights.
/// </remarks>
public abstract class RecurrentTransformer : ITransformer, IDisposable, IArchivedTransformer
{
    private readonly int predictionBatchSize;
    private readonly TrainingResult? trainingResult;

    private protected RecurrentTransformer(UsageGate gate, int predictionBatchSize, TrainingResult? training)
    {
        Gate = gate;
        this.predictionBatchSize = predictionBatchSize;
        trainingResult = training;
    }

    /// <summary>Rows per model call in <c>Transform</c>.</summary>
    public int PredictionBatchSize { get { Gate.ThrowIfClosed(); return predictionBatchSize; } }

    /// <summary>The per-epoch history and how training ended; null for a loaded model.</summary>
    public TrainingResult? TrainingResult { get { Gate.ThrowIfClosed(); return trainingResult; } }

    /// <inheritdoc />
    public bool IsRowToRowMapper { get { Gate.ThrowIfClosed(); return true; } }

    /// <summary>Guards the network against use during and after <see cref="Dispose"/>.</summary>
    private protected UsageGate Gate { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or of the wrong type.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).Output;

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Bind(inputSchema).Mapper();

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Bind(input.Schema).View(input, PredictionBatchSize);
    }

    /// <summary>Frees the network's native memory after the calls in flight on other threads have finished; afterwards
    /// every member throws <see cref="ObjectDisposedException"/>. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (Gate.Close()) Release();
    }

    /// <summary>Called by ML.NET while saving; throws unless the save was started by <see cref="RnnModelOperations.SaveRnnModel"/>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ModelArchive.SaveTransformer(this, ctx);

    string IArchivedTransformer.ArchiveKind => Archive.Kind;

    UsageGate IArchivedTransformer.Gate => Gate;

    IEnumerable<(string Name, byte[] Bytes)> IArchivedTransformer.ArchiveEntries() => Archive.Entries(this);

    /// <summary>How this kind of transformer is written to and rebuilt from a model archive.</summary>
    private protected abstract IArchiveFormat Archive { get; }

    /// <summary>Frees the network (called once, after the gate closed).</summary>
    private protected abstract void Release();

    /// <summary>The output binding for <paramref name="inputSchema"/> (checks the input columns).</summary>
    private protected abstract IRowBinding CreateBinding(DataViewSchema inputSchema);

    private IRowBinding Bind(DataViewSchema inputSchema)
    {
        Gate.ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(inputSchema);
        return CreateBinding(inputSchema);
    }
}
