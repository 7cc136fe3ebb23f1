using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.Internal;
using RnnMl.Text.Internal;
using RnnMl.Text;
using RnnMl.Torch.Decoding;
using RnnMl.Torch.Models;
using RnnMl.Torch.Training;

namespace RnnMl.MLNet.Generation;

/// <summary>
/// A trained recurrent language model that continues the text of a prompt column into a generated-text column
/// (String; the continuation only, without the prompt).
/// </summary>
/// <remarks>
/// Every row is generated with the same <see cref="Sampling"/> settings and seed, so a row's text depends on its prompt
/// alone: <c>Transform</c> (which generates <see cref="PredictionBatchSize"/> rows at a time) and <c>PredictionEngine</c>
/// give the same text, and so does a saved and reloaded model. For other settings on the same weights, call
/// <see cref="Generate(IReadOnlyList{string?}, SamplingOptions?)"/> or use <see cref="Generator"/>. Save with
/// <see cref="RnnModelOperations.SaveRnnModel"/>, load with <see cref="RnnModelOperations.LoadRnnModel"/>.
/// Safe to use from several threads at once.
/// </remarks>
public sealed class RecurrentTextGeneratorTransformer : ITransformer, IDisposable, IArchivedTransformer
{
    internal RecurrentTextGeneratorTransformer(LanguageModel model, TextStream stream, GeneratorColumns columns, SamplingOptions sampling, int predictionBatchSize, TrainingResult? training)
    {
        this.model = model;
        Model = model;
        // Set once; generation never switches modes, which is what makes concurrent calls safe.
        model.eval();
        Generator = TextGenerator.Create(model, stream);
        Columns = columns;
        Sampling = sampling.Validate();
        PredictionBatchSize = predictionBatchSize;
        TrainingResult = training;
    }

    private readonly LanguageModel model;

    /// <summary>Guards the network against use during and after <see cref="Dispose"/>.</summary>
    internal UsageGate Gate { get; } = new(nameof(RecurrentTextGeneratorTransformer));

    UsageGate IArchivedTransformer.Gate => Gate;

    internal GeneratorColumns Columns { get; }

    /// <summary>The input column of prompts.</summary>
    public string PromptColumnName { get { Gate.ThrowIfClosed(); return Columns.Prompt; } }

    /// <summary>The added column of generated text.</summary>
    public string OutputColumnName { get { Gate.ThrowIfClosed(); return Columns.Output; } }

    /// <summary>The generation settings of <c>Transform</c>, with the seed fixed.</summary>
    public SamplingOptions Sampling { get { Gate.ThrowIfClosed(); return field; } }

    /// <summary>Rows generated together by <c>Transform</c>.</summary>
    public int PredictionBatchSize { get { Gate.ThrowIfClosed(); return field; } }

    /// <summary>The network. Do not switch it to training mode while the transformer is in use.</summary>
    public LanguageModel Model { get { Gate.ThrowIfClosed(); return field; } }

    /// <summary>The generator over the network, tokenizer and vocabulary.</summary>
    public TextGenerator Generator { get { Gate.ThrowIfClosed(); return field; } }

    /// <summary>The tokenizer and vocabulary built in <c>Fit</c>.</summary>
    public TextStream TextStream { get { Gate.ThrowIfClosed(); return Generator.Stream; } }

    /// <summary>The per-epoch history (with <c>"bits"</c>, bits per token) and how training ended; null for a loaded model.</summary>
    public TrainingResult? TrainingResult { get { Gate.ThrowIfClosed(); return field; } }

    /// <summary>Continues prompts in one batch with other settings than <see cref="Sampling"/>.</summary>
    /// <param name="prompts">The prompts.</param>
    /// <param name="sampling">How to choose tokens; null for <see cref="Sampling"/>.</param>
    /// <exception cref="ObjectDisposedException">The transformer has been disposed.</exception>
    public IReadOnlyList<string> Generate(IReadOnlyList<string?> prompts, SamplingOptions? sampling = null)
    {
        using var lease = Gate.Enter();
        return Generator.Generate(prompts, sampling ?? Sampling);
    }

    /// <summary>Bits per token and perplexity of the model on some text (rows as lines, as in training).</summary>
    /// <param name="lines">The text, one line or document per item.</param>
    /// <exception cref="ObjectDisposedException">The transformer has been disposed.</exception>
    public LanguageModelScore Evaluate(IEnumerable<string?> lines)
    {
        using var lease = Gate.Enter();
        return LanguageModelMetrics.Evaluate(Model, TextStream.EncodeStream(lines));
    }

    /// <inheritdoc />
    public bool IsRowToRowMapper { get { Gate.ThrowIfClosed(); return true; } }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The prompt column is missing or not String.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).Output;

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new BindingRowMapper<string, string>(Bind(inputSchema));

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchedDataView<string, string>(input, Bind(input.Schema), PredictionBatchSize);
    }

    /// <summary>Called by ML.NET while saving; throws unless the save was started by <see cref="RnnModelOperations.SaveRnnModel"/>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ModelArchive.SaveTransformer(this, ctx);

    string IArchivedTransformer.ArchiveKind => GeneratorArchive.Kind;

    IEnumerable<(string Name, byte[] Bytes)> IArchivedTransformer.ArchiveEntries() => GeneratorArchive.Entries(this);

    /// <summary>Frees the network's native memory after the calls in flight on other threads have finished; afterwards
    /// every member throws <see cref="ObjectDisposedException"/>. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (Gate.Close()) model.Dispose();
    }

    private GenerationBinding Bind(DataViewSchema inputSchema)
    {
        Gate.ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new GenerationBinding(this, inputSchema);
    }
}
