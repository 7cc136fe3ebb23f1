using RnnMl.Torch.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>
/// A next-token language model (the char-RNN): embedding → stacked unidirectional LSTM/GRU/RNN → linear over the
/// vocabulary, predicting token t+1 from tokens 0…t at every step (the synchronised many-to-many shape).
/// </summary>
/// <remarks>
/// Shapes: N batch, T time, E embedding, H hidden, L layers, V vocabulary. Input token ids (N, T) int64, batch-first;
/// output logits (N, T, V) and the final state (L, N, H). With <see cref="LanguageModelOptions.TieWeights"/> the
/// logits are h·Wₑᵀ + b with Wₑ the embedding matrix (V, E = H); otherwise a separate linear layer.
/// Parameters: <c>embedding.weight</c>, <c>recurrent.*</c> (PyTorch's names), <c>output.weight</c> (untied only) and
/// <c>output.bias</c> (or <c>output_bias</c> when tied). The pieces are public (<see cref="Embed"/>,
/// <see cref="Recurrent"/>, <see cref="Project"/>) so that truncated BPTT can run the recurrent layer chunk by chunk.
/// </remarks>
public sealed class LanguageModel : nn.Module
{
    private bool disposed;
    private readonly Embedding embedding;
    private readonly RecurrentLayer recurrent;
    private readonly Dropout dropout;
    private readonly Linear? output;

    private const string OutputBiasName = "output_bias";

    private LanguageModel(LanguageModelOptions options, Device? device) : base(nameof(LanguageModel))
    {
        Options = options.Validate();
        embedding = nn.Embedding(options.VocabularySize, options.EmbeddingSize, padding_idx: RnnMl.Text.Vocabulary.PaddingId, device: device);
        recurrent = RecurrentLayers.Create(options.Cell, new RecurrentLayerOptions(options.EmbeddingSize, options.HiddenSize,
            options.NumLayers, true, BatchFirst: true, options.NumLayers > 1 ? options.Dropout : 0, false, options.Backend), device: device);
        dropout = nn.Dropout(options.Dropout);
        register_module("embedding", embedding);
        register_module("recurrent", recurrent);
        register_module("dropout", dropout);
        if (options.TieWeights)
        {
            // A bias of its own; the weight is the embedding's, registered once so the optimizer steps it once.
            double bound = 1.0 / Math.Sqrt(options.HiddenSize);
            register_parameter(OutputBiasName, new Parameter(empty(options.VocabularySize, device: device).uniform_(-bound, bound)));
        }
        else
        {
            output = nn.Linear(options.HiddenSize, options.VocabularySize, device: device);
            register_module("output", output);
        }
    }

    /// <summary>Creates a model with freshly initialised parameters (seed torch first for repeatable weights).</summary>
    /// <param name="options">The model's shape; validated here.</param>
    /// <param name="device">Where the parameters live; default CPU.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static LanguageModel Create(LanguageModelOptions options, Device? device = null)
        => new(options ?? throw new ArgumentNullException(nameof(options)), device);

    /// <summary>The model's shape.</summary>
    public LanguageModelOptions Options { get { ThrowIfDisposed(); return field; } }

    /// <summary>The recurrent layer (batch-first, unidirectional).</summary>
    public RecurrentLayer Recurrent { get { ThrowIfDisposed(); return recurrent; } }

    /// <summary>The device of the parameters.</summary>
    public Device Device { get { ThrowIfDisposed(); return embedding.weight!.device; } }

    /// <summary>Next-token logits at every step.</summary>
    /// <param name="tokens">(N, T) int64 token ids in [0, V).</param>
    /// <param name="state">The state to start from, (L, N, H) each; null for zeros.</param>
    /// <param name="lengths">Optional (N) int64 valid lengths in [1, T] for padded prompts; the final state is then each sequence's own.</param>
    /// <returns>Logits (N, T, V) and the final state.</returns>
    /// <exception cref="ArgumentException">A shape, dtype or id is out of range.</exception>
    public (Tensor Logits, RecurrentState State) forward(Tensor tokens, RecurrentState? state = null, Tensor? lengths = null)
    {
        ThrowIfDisposed();
        using var scope = NewDisposeScope();
        var (hidden, final) = recurrent.forward(Embed(tokens), state, lengths);
        var logits = Project(hidden);
        logits.MoveToOuterDisposeScope();
        final.MoveToOuterDisposeScope();
        return (logits, final);
    }

    /// <summary>Embeds token ids (with dropout in training): (N, T) int64 → (N, T, E).</summary>
    /// <param name="tokens">(N, T) int64 token ids in [0, V).</param>
    /// <exception cref="ArgumentException">A shape, dtype or id is out of range.</exception>
    public Tensor Embed(Tensor tokens)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.dim() != 2)
            throw new ArgumentException($"tokens must be 2-D (N, T), got {tokens.dim()}-D", nameof(tokens));
        if (tokens.dtype != ScalarType.Int64)
            throw new ArgumentException($"tokens must be Int64, got {tokens.dtype}", nameof(tokens));
        return Dropped(embedding.call(tokens));
    }

    // In eval mode, or without dropout, the identity: one op less per generation step.
    private Tensor Dropped(Tensor x) => training && Options.Dropout > 0 ? dropout.call(x) : x;

    /// <summary>Recurrent outputs to logits (with dropout in training): (N, T, H) → (N, T, V).</summary>
    /// <param name="hidden">(N, T, H) outputs of <see cref="Recurrent"/>.</param>
    public Tensor Project(Tensor hidden)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(hidden);
        var h = Dropped(hidden);
        // Looked up, not kept in a field: converting the model (to(dtype), to(device)) replaces the parameter object.
        return output is not null ? output.call(h) : nn.functional.linear(h, embedding.weight!, get_parameter(OutputBiasName));
    }

    /// <summary>Frees the parameters; afterwards every member throws <see cref="ObjectDisposedException"/>.</summary>
    protected override void Dispose(bool disposing)
    {
        disposed = true;
        base.Dispose(disposing);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);
}
