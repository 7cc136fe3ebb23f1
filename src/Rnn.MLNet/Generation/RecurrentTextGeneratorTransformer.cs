using RnnMl.Text.Internal;
using RnnMl.Torch.Decoding;

namespace RnnMl.MLNet.Generation;

/// <summary>
/// A trained recurrent language model that continues the text of a prompt column into a generated-text column
/// (String; the continuation only, without the prompt).
/// </summary>
/// <remarks>
/// Every row is generated with the same <see cref="Sampling"/> settings and seed, so a row's text depends on its prompt
/// alone: <c>Transform</c> (which generates <see cref="RecurrentTransformer.PredictionBatchSize"/> rows at a time) and <c>PredictionEngine</c>
/// give the same text, and so does a saved and reloaded model. For other settings on the same weights, call
/// <see cref="Generate(IReadOnlyList{string?}, SamplingOptions?)"/> or use <see cref="Generator"/>. Save with
/// <see cref="RnnModelOperations.SaveRnnModel"/>, load with <see cref="RnnModelOperations.LoadRnnModel"/>.
/// Safe to use from several threads at once.
/// </remarks>
public sealed class RecurrentTextGeneratorTransformer : RecurrentTransformer
{
    internal RecurrentTextGeneratorTransformer(LanguageModel model, TextStream stream, GeneratorColumns columns, SamplingOptions sampling, int predictionBatchSize, TrainingResult? training)
        : base(new UsageGate(nameof(RecurrentTextGeneratorTransformer)), predictionBatchSize, training)
    {
        this.model = model;
        Model = model;
        // Set once; generation never switches modes, which is what makes concurrent calls safe.
        model.eval();
        Generator = TextGenerator.Create(model, stream);
        Columns = columns;
        Sampling = sampling.Validate();
    }

    private readonly LanguageModel model;

    /// <summary>The guard of the network (for the bindings of this assembly).</summary>
    internal UsageGate Guard => Gate;

    internal GeneratorColumns Columns { get; }

    /// <summary>The input column of prompts.</summary>
    public string PromptColumnName { get { Gate.ThrowIfClosed(); return Columns.Prompt; } }

    /// <summary>The added column of generated text.</summary>
    public string OutputColumnName { get { Gate.ThrowIfClosed(); return Columns.Output; } }

    /// <summary>The generation settings of <c>Transform</c>, with the seed fixed.</summary>
    public SamplingOptions Sampling { get { Gate.ThrowIfClosed(); return field; } }

    /// <summary>The network. Do not switch it to training mode while the transformer is in use.</summary>
    public LanguageModel Model { get { Gate.ThrowIfClosed(); return field; } }

    /// <summary>The generator over the network, tokenizer and vocabulary.</summary>
    public TextGenerator Generator { get { Gate.ThrowIfClosed(); return field; } }

    /// <summary>The tokenizer and vocabulary built in <c>Fit</c>.</summary>
    public TextStream TextStream { get { Gate.ThrowIfClosed(); return Generator.Stream; } }

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

    private protected override IArchiveFormat Archive => GeneratorArchive.Format;

    private protected override void Release() => model.Dispose();

    private protected override IRowBinding CreateBinding(DataViewSchema inputSchema) => new GenerationBinding(this, inputSchema);
}
