using RnnMl.Torch.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>
/// A many-to-one text classifier: embedding → embedding dropout (whole word types) → locked dropout → recurrent encoder
/// → locked dropout → pooling over valid steps → dropout → linear → class scores.
/// </summary>
/// <remarks>
/// Input: token ids (N, T) int64, batch-first, padded with <see cref="RnnMl.Text.Vocabulary.PaddingId"/>, and lengths (N).
/// Output: unnormalised class scores (logits) (N, C). Parameters: <c>embedding.weight</c>, <c>encoder.*</c> (PyTorch's
/// names), <c>attention_hidden.*</c> and <c>attention_score.weight</c> for attention pooling, <c>output.weight</c> and
/// <c>output.bias</c>; exporters reach them through <see cref="Embedding"/>, <see cref="Encoder"/>,
/// <see cref="AttentionHidden"/>, <see cref="AttentionScore"/> and <see cref="Output"/>, never by name. The dropouts act in
/// training mode only (<see cref="SequenceClassifierOptions.EmbeddingDropout"/>, <see cref="SequenceClassifierOptions.InputDropout"/>,
/// <see cref="SequenceClassifierOptions.OutputDropout"/>, <see cref="SequenceClassifierOptions.Dropout"/>); in eval mode
/// the model is deterministic.
/// </remarks>
public sealed class SequenceClassifier : nn.Module
{
    private bool disposed;
    private readonly Embedding embedding;
    private readonly RecurrentLayer encoder;
    private readonly Linear? attentionHidden;
    private readonly Linear? attentionScore;
    private readonly Dropout dropout;
    private readonly Linear output;

    private SequenceClassifier(SequenceClassifierOptions options, Device? device) : base(nameof(SequenceClassifier))
    {
        Options = options.Validate();
        int d = options.Bidirectional ? 2 : 1;
        int encoded = d * options.HiddenSize;
        embedding = nn.Embedding(options.VocabularySize, options.EmbeddingSize, padding_idx: RnnMl.Text.Vocabulary.PaddingId, device: device);
        encoder = RecurrentLayers.Create(options.Cell, new RecurrentLayerOptions(options.EmbeddingSize, options.HiddenSize,
            options.NumLayers, true, BatchFirst: true, options.NumLayers > 1 ? options.Dropout : 0, options.Bidirectional, options.Backend, options.WeightDropout), device: device);
        if (options.Pooling == PoolingKind.Attention)
        {
            attentionHidden = nn.Linear(encoded, encoded, device: device);
            attentionScore = nn.Linear(encoded, 1, hasBias: false, device: device);
        }
        dropout = nn.Dropout(options.Dropout);
        output = nn.Linear(options.Pooling == PoolingKind.MeanMax ? 2 * encoded : encoded, options.ClassCount, device: device);
        register_module("embedding", embedding);
        register_module("encoder", encoder);
        if (attentionHidden is not null) register_module("attention_hidden", attentionHidden);
        if (attentionScore is not null) register_module("attention_score", attentionScore);
        register_module("dropout", dropout);
        register_module("output", output);
    }

    /// <summary>Creates a model with freshly initialised parameters (seed torch first for repeatable weights).</summary>
    /// <param name="options">The model's shape; validated here.</param>
    /// <param name="device">Where the parameters live; default CPU.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static SequenceClassifier Create(SequenceClassifierOptions options, Device? device = null)
        => new(options ?? throw new ArgumentNullException(nameof(options)), device);

    /// <summary>The model's shape.</summary>
    public SequenceClassifierOptions Options { get { ThrowIfDisposed(); return field; } }

    /// <summary>The embedding table (V, E); the padding row stays 0.</summary>
    public Embedding Embedding { get { ThrowIfDisposed(); return embedding; } }

    /// <summary>The recurrent encoder.</summary>
    public RecurrentLayer Encoder { get { ThrowIfDisposed(); return encoder; } }

    /// <summary>Attention pooling's hidden projection, D·H → D·H (followed by tanh); null for other pooling.</summary>
    public Linear? AttentionHidden { get { ThrowIfDisposed(); return attentionHidden; } }

    /// <summary>Attention pooling's score, D·H → 1 without bias; null for other pooling.</summary>
    public Linear? AttentionScore { get { ThrowIfDisposed(); return attentionScore; } }

    /// <summary>The output layer: pooled features (D·H, or 2·D·H for mean-max pooling) → C class scores.</summary>
    public Linear Output { get { ThrowIfDisposed(); return output; } }

    /// <summary>
    /// Sets rows of the embedding table from pretrained vectors (e.g. <see cref="RnnMl.Text.WordVectors.Rows"/>). Every
    /// other row but padding is drawn afresh from N(0, σ²), σ the standard deviation of the given values (when there are
    /// at least two), so that words without a vector start on the same scale as those with one; the padding row stays 0.
    /// </summary>
    /// <param name="rows">Token id → its vector of <see cref="SequenceClassifierOptions.EmbeddingSize"/> values; ids in [1, V).</param>
    /// <param name="freeze">Whether the embedding then stays fixed in training (its weight no longer requires grad).</param>
    /// <returns>The number of rows set.</returns>
    /// <exception cref="ArgumentException">An id is out of range or a vector has the wrong length; the message names the id.</exception>
    public int InitializeEmbedding(IReadOnlyDictionary<int, float[]> rows, bool freeze)
        => PretrainedEmbedding.Initialize(Embedding, Options.VocabularySize, Options.EmbeddingSize, rows, freeze);

    /// <summary>Class scores for a batch.</summary>
    /// <param name="tokens">(N, T) int64 token ids, padded.</param>
    /// <param name="lengths">(N) int64 valid lengths, each in [1, T].</param>
    /// <returns>Logits (N, C).</returns>
    /// <exception cref="ArgumentException">A shape or an id is out of range.</exception>
    public Tensor forward(Tensor tokens, Tensor lengths)
    {
        ThrowIfDisposed();
        return Run(tokens, lengths, out _, keepAttention: false);
    }

    /// <summary>Like <see cref="forward"/>, also returning the attention weights (N, T) for attention pooling (null otherwise).</summary>
    /// <param name="tokens">(N, T) int64 token ids, padded.</param>
    /// <param name="lengths">(N) int64 valid lengths.</param>
    public (Tensor Logits, Tensor? Attention) ForwardWithAttention(Tensor tokens, Tensor lengths)
    {
        ThrowIfDisposed();
        var logits = Run(tokens, lengths, out var attention, keepAttention: true);
        return (logits, attention);
    }

    private Tensor Run(Tensor tokens, Tensor lengths, out Tensor? attention, bool keepAttention)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(lengths);
        if (tokens.dim() != 2)
            throw new ArgumentException($"tokens must be 2-D (N, T), got {tokens.dim()}-D", nameof(tokens));
        if (tokens.dtype != ScalarType.Int64)
            throw new ArgumentException($"tokens must be Int64, got {tokens.dtype}", nameof(tokens));
        using (var range = stack(new[] { tokens.min(), tokens.max() }))
        {
            var r = range.data<long>();
            if (r[0] < 0 || r[1] >= Options.VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(tokens), $"token ids must be between 0 and {Options.VocabularySize - 1}, got {(r[0] < 0 ? r[0] : r[1])}");
        }

        using var scope = NewDisposeScope();
        // Embedded time-major, (T, N, E) in memory seen as (N, T, E): the encoder runs time-major, so its transpose is
        // then contiguous, not copied once per direction (the elementwise dropouts keep the layout).
        var x = SequenceDropout.WordTypes(embedding.call(tokens.t()).transpose(0, 1), tokens, Options.VocabularySize, Options.EmbeddingDropout, training);
        x = SequenceDropout.Locked(x, Options.InputDropout, training);
        // Mean and maximum pool each feature over the valid steps, which they mask themselves; time order does not
        // change them and the locked output mask, constant in time and never negative, commutes with both. So the
        // encoder may leave its padded steps and a reverse direction's order as they are (poolingOnly), and the mask
        // acts on the pooled (N, F) features instead of every step. Last pooling reads the final h alone.
        bool perFeature = Options.Pooling is PoolingKind.Mean or PoolingKind.Max or PoolingKind.MeanMax;
        var (encoded, state) = encoder.ForwardOutputsAndH(x, lengths: lengths, poolingOnly: Options.Pooling != PoolingKind.Attention);
        // (N, T, 1): true at padded steps, which every pooling but Last masks (so Last never builds it).
        Tensor Padded() => arange(tokens.shape[1], ScalarType.Int64, tokens.device).unsqueeze(0).ge(lengths.to(tokens.device).unsqueeze(1)).unsqueeze(2);
        Tensor pooled;
        Tensor? weights = null;
        if (perFeature)
        {
            var mask = SequenceDropout.LockedMask(encoded.shape[0], encoded.shape[2], Options.OutputDropout, training, encoded.dtype, encoded.device)?.squeeze(1);
            Tensor Masked(Tensor features) => mask is null ? features : features * mask;
            var padded = Padded();
            pooled = Options.Pooling switch
            {
                PoolingKind.Mean => Masked(Mean(encoded, padded, lengths)),
                PoolingKind.Max => Masked(Max(encoded, padded)),
                _ => cat(new[] { Masked(Mean(encoded, padded, lengths)), Masked(Max(encoded, padded)) }, 1),
            };
        }
        else if (Options.Pooling == PoolingKind.Last)
            pooled = Options.Bidirectional ? cat(new[] { state.H[-2], state.H[-1] }, 1) : state.H[-1];
        else
        {
            encoded = SequenceDropout.Locked(encoded, Options.OutputDropout, training);
            var scores = attentionScore!.call(attentionHidden!.call(encoded).tanh()).squeeze(2);
            weights = scores.masked_fill(Padded().squeeze(2), PinnedScalars.MinusInfinity).softmax(1);
            pooled = (weights.unsqueeze(2) * encoded).sum(1);
        }
        var logits = output.call(dropout.call(pooled));
        attention = keepAttention ? weights?.MoveToOuterDisposeScope() : null;
        return logits.MoveToOuterDisposeScope();
    }

    private static Tensor Mean(Tensor encoded, Tensor padded, Tensor lengths)
        => encoded.masked_fill(padded, PinnedScalars.Zero).sum(1) / lengths.to(encoded.dtype).to(encoded.device).unsqueeze(1);

    private static Tensor Max(Tensor encoded, Tensor padded)
        => encoded.masked_fill(padded, PinnedScalars.MinusInfinity).amax(new long[] { 1 });

    /// <summary>Frees the parameters; afterwards every member throws <see cref="ObjectDisposedException"/>.</summary>
    protected override void Dispose(bool disposing)
    {
        disposed = true;
        base.Dispose(disposing);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);
}
