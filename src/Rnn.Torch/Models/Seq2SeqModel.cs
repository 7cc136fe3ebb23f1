using RnnMl.Torch.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>
/// An encoder-decoder (sequence-to-sequence) model with attention: source embedding → recurrent encoder (stacked,
/// optionally bidirectional) → bridge → recurrent decoder with attention over the encoder outputs → linear → target
/// token scores.
/// </summary>
/// <remarks>
/// <para>Shapes: N batch, S source steps, T target steps, E = D·H encoder output size, Q decoder hidden size, V target
/// vocabulary. Token ids are int64, batch-first, padded with id 0.</para>
/// <para>Bridge: the decoder's initial state of every layer is tanh(W_b [h→; h←]) of the encoder's top layer final states
/// (forward and reverse concatenated), and likewise for c when the decoder is an LSTM.</para>
/// <para>Decoder step t, with y_{t−1} the previous token: input x_t = [emb(y_{t−1}); c_t (Bahdanau, queried with the
/// previous top state s_{t−1}); ã_{t−1} (input feeding)]; s_t = cell(x_t, s_{t−1}); for Luong attention c_t is queried
/// with s_t; the attentional vector ã_t = tanh(W_c [c_t; s_t]) (without attention ã_t = s_t); logits = W_o ã_t + b_o.</para>
/// <para>With <see cref="Seq2SeqOptions.TieEmbeddings"/> (Press &amp; Wolf, 2017) W_o is the target embedding matrix itself:
/// logits = emb · (W_p ã_t) + b_o, where W_p (Q → embedding size, no bias) is present only when Q differs from the embedding
/// size.</para>
/// <para>Training (<see cref="forward"/>) uses teacher forcing. Without Bahdanau attention, without input feeding and with a
/// teacher forcing ratio of 1, the decoder runs over all T steps in one call (libtorch's fused kernels); otherwise step
/// by step.</para>
/// Parameters: <c>source_embedding.weight</c>, <c>target_embedding.weight</c>, <c>encoder.*</c>, <c>decoder.*</c> (PyTorch's
/// names), <c>bridge_h.*</c>, <c>bridge_c.*</c> (LSTM decoder), <c>attention.*</c>, <c>combine.weight</c>, <c>output.*</c>
/// (untied), or <c>tie_projection.weight</c> (tied, Q ≠ embedding size) and <c>output_bias</c> (tied).
/// </remarks>
public sealed class Seq2SeqModel : nn.Module
{
    private bool disposed;
    private readonly Embedding sourceEmbedding;
    private readonly Embedding targetEmbedding;
    private readonly RecurrentLayer encoder;
    private readonly RecurrentLayer decoder;
    private readonly Linear bridgeH;
    private readonly Linear? bridgeC;
    private readonly Seq2SeqAttention? attention;
    private readonly Linear? combine;
    private readonly Dropout dropout;
    private readonly Linear? output;
    private readonly Linear? tieProjection;

    private const string OutputBiasName = "output_bias";

    private Seq2SeqModel(Seq2SeqOptions options, Device? device) : base(nameof(Seq2SeqModel))
    {
        Options = options.Validate();
        int e = options.EncoderOutputSize, q = options.ResolvedDecoderHiddenSize;
        int decoderInput = options.EmbeddingSize + (options.Attention == AttentionKind.Bahdanau ? e : 0) + (options.InputFeeding ? q : 0);
        sourceEmbedding = nn.Embedding(options.SourceVocabularySize, options.EmbeddingSize, padding_idx: RnnMl.Text.Vocabulary.PaddingId, device: device);
        targetEmbedding = nn.Embedding(options.TargetVocabularySize, options.EmbeddingSize, padding_idx: RnnMl.Text.Vocabulary.PaddingId, device: device);
        encoder = RecurrentLayers.Create(options.EncoderCell, new RecurrentLayerOptions(options.EmbeddingSize, options.HiddenSize, options.EncoderLayers,
            true, BatchFirst: true, options.EncoderLayers > 1 ? options.Dropout : 0, options.Bidirectional, options.Backend), device: device);
        decoder = RecurrentLayers.Create(options.DecoderCell, new RecurrentLayerOptions(decoderInput, q, options.DecoderLayers,
            true, BatchFirst: true, options.DecoderLayers > 1 ? options.Dropout : 0, false, options.Backend), device: device);
        bridgeH = nn.Linear(e, options.DecoderLayers * q, device: device);
        if (decoder.StateCount == 2) bridgeC = nn.Linear(e, options.DecoderLayers * q, device: device);
        if (options.Attention != AttentionKind.None)
        {
            attention = Seq2SeqAttention.Create(options.Attention, e, q, device);
            combine = nn.Linear(e + q, q, hasBias: false, device: device);
        }
        dropout = nn.Dropout(options.Dropout);
        if (options.TieEmbeddings)
        {
            // A bias of its own; the weight is the target embedding's, registered once so the optimizer steps it once.
            if (q != options.EmbeddingSize) tieProjection = nn.Linear(q, options.EmbeddingSize, hasBias: false, device: device);
            double bound = 1.0 / Math.Sqrt(options.EmbeddingSize);
            register_parameter(OutputBiasName, new Parameter(empty(options.TargetVocabularySize, device: device).uniform_(-bound, bound)));
        }
        else
        {
            output = nn.Linear(q, options.TargetVocabularySize, device: device);
        }
        register_module("source_embedding", sourceEmbedding);
        register_module("target_embedding", targetEmbedding);
        register_module("encoder", encoder);
        register_module("decoder", decoder);
        register_module("bridge_h", bridgeH);
        if (bridgeC is not null) register_module("bridge_c", bridgeC);
        if (attention is not null) register_module("attention", attention);
        if (combine is not null) register_module("combine", combine);
        register_module("dropout", dropout);
        if (output is not null) register_module("output", output);
        if (tieProjection is not null) register_module("tie_projection", tieProjection);
    }

    /// <summary>Creates a model with freshly initialised parameters (seed torch first for repeatable weights).</summary>
    /// <param name="options">The model's shape; validated here.</param>
    /// <param name="device">Where the parameters live; default CPU.</param>
    /// <exception cref="ArgumentException">An option is out of range; the exception names it.</exception>
    public static Seq2SeqModel Create(Seq2SeqOptions options, Device? device = null)
        => new(options ?? throw new ArgumentNullException(nameof(options)), device);

    /// <summary>The model's shape.</summary>
    public Seq2SeqOptions Options { get { ThrowIfDisposed(); return field; } }

    /// <summary>The recurrent encoder (batch-first).</summary>
    public RecurrentLayer Encoder { get { ThrowIfDisposed(); return encoder; } }

    /// <summary>The recurrent decoder (batch-first, one direction).</summary>
    public RecurrentLayer Decoder { get { ThrowIfDisposed(); return decoder; } }

    /// <summary>The source embedding table (source V, embedding size); the padding row stays 0.</summary>
    public Embedding SourceEmbedding { get { ThrowIfDisposed(); return sourceEmbedding; } }

    /// <summary>The target embedding table (V, embedding size); the padding row stays 0.</summary>
    public Embedding TargetEmbedding { get { ThrowIfDisposed(); return targetEmbedding; } }

    /// <summary>The bridge W_b to the decoder's initial h: E → L·Q with bias (tanh follows).</summary>
    public Linear BridgeH { get { ThrowIfDisposed(); return bridgeH; } }

    /// <summary>The bridge to an LSTM decoder's initial c: E → L·Q with bias; null for GRU and RNN decoders.</summary>
    public Linear? BridgeC { get { ThrowIfDisposed(); return bridgeC; } }

    /// <summary>The attention; null without attention.</summary>
    public Seq2SeqAttention? Attention { get { ThrowIfDisposed(); return attention; } }

    /// <summary>W_c of the attentional vector tanh(W_c [context; s]), E + Q → Q without bias; null without attention.</summary>
    public Linear? Combine { get { ThrowIfDisposed(); return combine; } }

    /// <summary>The output layer, Q → V with bias; null with tied embeddings (see <see cref="OutputBias"/>).</summary>
    public Linear? Output { get { ThrowIfDisposed(); return output; } }

    /// <summary>W_p, Q → embedding size without bias, before the tied output; null when untied or when Q equals the embedding size.</summary>
    public Linear? TieProjection { get { ThrowIfDisposed(); return tieProjection; } }

    /// <summary>b_o (V) of the tied output layer, whose weight is <see cref="TargetEmbedding"/>'s; null when untied.</summary>
    // Looked up, not kept in a field: converting the model (to(dtype), to(device)) replaces the parameter object.
    public Parameter? OutputBias { get { ThrowIfDisposed(); return output is null ? get_parameter(OutputBiasName) : null; } }

    /// <summary>Whether <see cref="forward"/> runs the decoder over the whole target in one call in the current mode.</summary>
    public bool DecodesInParallel => Options.Attention != AttentionKind.Bahdanau && !Options.InputFeeding && (!training || Options.TeacherForcingRatio >= 1.0);

    /// <summary>Target token scores with teacher forcing, for training and for the validation loss.</summary>
    /// <param name="source">(N, S) int64 source ids, padded.</param>
    /// <param name="sourceLengths">(N) int64, each in [1, S].</param>
    /// <param name="targetInput">(N, T) int64: the begin token followed by the target tokens, padded.</param>
    /// <returns>Logits (N, T, V); step t predicts the token after targetInput[:, t].</returns>
    /// <exception cref="ArgumentException">A shape, dtype or id is out of range.</exception>
    /// <remarks>This is <see cref="Project"/>(<see cref="DecoderFeatures"/>(…)). For a loss over a large vocabulary, project
    /// only the real target positions, a chunk at a time, as <c>Seq2SeqTrainingTask</c> does: (N, T, V) logits are the
    /// largest tensors of a batch.</remarks>
    public Tensor forward(Tensor source, Tensor sourceLengths, Tensor targetInput)
    {
        ThrowIfDisposed();
        using var scope = NewDisposeScope();
        return Project(DecoderFeatures(source, sourceLengths, targetInput)).MoveToOuterDisposeScope();
    }

    /// <summary>The decoder's output features with teacher forcing: the attentional vectors ã_t after dropout, which
    /// <see cref="Project"/> turns into logits.</summary>
    /// <param name="source">(N, S) int64 source ids, padded.</param>
    /// <param name="sourceLengths">(N) int64, each in [1, S].</param>
    /// <param name="targetInput">(N, T) int64: the begin token followed by the target tokens, padded.</param>
    /// <returns>(N, T, Q); step t's row predicts the token after targetInput[:, t].</returns>
    /// <exception cref="ArgumentException">A shape, dtype or id is out of range.</exception>
    public Tensor DecoderFeatures(Tensor source, Tensor sourceLengths, Tensor targetInput)
    {
        ThrowIfDisposed();
        TokenIdCheck.Check(targetInput, 2, Options.TargetVocabularySize, nameof(targetInput));
        if (targetInput.shape[0] != source.shape[0])
            throw new ArgumentException($"targetInput must have the batch size {source.shape[0]} of source, got {targetInput.shape[0]}", nameof(targetInput));
        using var scope = NewDisposeScope();
        var (memory, state) = Encode(source, sourceLengths);
        Tensor features;
        if (DecodesInParallel)
        {
            var x = dropout.call(targetEmbedding.call(targetInput));
            var (outputs, _) = decoder.forward(x, state.Recurrent);
            features = dropout.call(Attentional(outputs, memory, out _));
        }
        else
        {
            long steps = targetInput.shape[1];
            var all = new List<Tensor>((int)steps);
            Tensor? predicted = null;
            bool mix = training && Options.TeacherForcingRatio < 1.0;
            using var ratio = Options.TeacherForcingRatio.ToScalar(); // held for the loop: see PinnedScalars
            for (long t = 0; t < steps; t++)
            {
                var previous = targetInput[TensorIndex.Colon, TensorIndex.Single(t)];
                if (mix && predicted is not null)
                {
                    var useTruth = rand(previous.shape[0], device: previous.device).lt(ratio);
                    previous = where(useTruth, previous, predicted);
                }
                var (a, next, _) = StepFeatures(previous, state, memory);
                state = next;
                all.Add(a);
                if (mix)
                {
                    using var noGrad = no_grad();
                    predicted = Logits(a).argmax(1);
                }
            }
            features = stack(all, 1);
        }
        return features.MoveToOuterDisposeScope();
    }

    /// <summary>Logits W_o x + b_o of decoder features (with tied embeddings emb · (W_p x) + b_o).</summary>
    /// <param name="features">(…, Q) from <see cref="DecoderFeatures"/>, any leading shape (e.g. only the real target positions).</param>
    /// <returns>(…, V).</returns>
    public Tensor Project(Tensor features)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(features);
        int q = Options.ResolvedDecoderHiddenSize;
        if (features.dim() < 1 || features.shape[^1] != q)
            throw new ArgumentException($"features must end in the decoder size {q}, got shape [{string.Join(", ", features.shape)}]", nameof(features));
        return Logits(features);
    }

    // W_o x + b_o, or emb · (W_p x) + b_o when tied.
    private Tensor Logits(Tensor features)
    {
        if (output is not null) return output.call(features);
        var x = tieProjection is null ? features : tieProjection.call(features);
        return nn.functional.linear(x, targetEmbedding.weight!, get_parameter(OutputBiasName));
    }

    /// <summary>Encodes a batch of source sentences and computes the decoder's initial state through the bridge.</summary>
    /// <param name="source">(N, S) int64 source ids, padded.</param>
    /// <param name="sourceLengths">(N) int64, each in [1, S].</param>
    /// <returns>The memory the decoder attends to, and the decoder's initial state (L, N, Q).</returns>
    /// <exception cref="ArgumentException">A shape, dtype or id is out of range.</exception>
    public (EncoderMemory Memory, DecoderState State) Encode(Tensor source, Tensor sourceLengths)
    {
        ThrowIfDisposed();
        TokenIdCheck.Check(source, 2, Options.SourceVocabularySize, nameof(source));
        ArgumentNullException.ThrowIfNull(sourceLengths);
        using var scope = NewDisposeScope();
        var lengths = sourceLengths.to(ScalarType.Int64).to(source.device);
        var (encoded, final) = encoder.forward(dropout.call(sourceEmbedding.call(source)), lengths: lengths);
        var valid = arange(source.shape[1], ScalarType.Int64, source.device).unsqueeze(0).lt(lengths.unsqueeze(1));
        var memory = new EncoderMemory(encoded, attention?.Keys(encoded), valid, lengths);
        long n = source.shape[0];
        int layers = Options.DecoderLayers, q = Options.ResolvedDecoderHiddenSize;
        Tensor Bridge(Linear bridge, Tensor top) => bridge.call(top).tanh().view(n, layers, q).permute(1, 0, 2).contiguous();
        var h = Bridge(bridgeH, TopLayer(final.H));
        var c = bridgeC is null ? null : Bridge(bridgeC, TopLayer(final.C ?? final.H));
        var feed = Options.InputFeeding ? zeros(n, q, dtype: encoded.dtype, device: encoded.device) : null;
        var state = new DecoderState(new RecurrentState(h, c), feed);
        return (memory.MoveToOuterDisposeScope(), state.MoveToOuterDisposeScope());
    }

    /// <summary>One decoder step for a batch of hypotheses.</summary>
    /// <param name="previous">(N) int64, the previous token of each hypothesis (the begin id at the first step).</param>
    /// <param name="state">The decoder state after the previous step (or from <see cref="Encode"/>).</param>
    /// <param name="memory">The encoder memory: one row per hypothesis, or one row per sentence (M rows, N = M·G) when each
    /// sentence's G hypotheses are consecutive rows (beam search: no copy of the memory per hypothesis; the G queries of a
    /// sentence attend in one batched product).</param>
    /// <returns>Logits (N, V), the new state, and the attention weights (N, S) (null without attention).</returns>
    /// <exception cref="ArgumentException">N is not a multiple of the memory's rows, or a shape or id is out of range.</exception>
    public (Tensor Logits, DecoderState State, Tensor? Attention) Step(Tensor previous, DecoderState state, EncoderMemory memory)
    {
        ThrowIfDisposed();
        using var scope = NewDisposeScope();
        var (features, next, weights) = StepFeatures(previous, state, memory);
        var logits = Logits(features);
        return (logits.MoveToOuterDisposeScope(), next.MoveToOuterDisposeScope(), weights?.MoveToOuterDisposeScope());
    }

    /// <summary><see cref="Step"/> without the output layer: <see cref="Project"/> of the features gives the logits (in row
    /// blocks if wanted: beam search projects a block at a time, so that the (N, V) scores never exist at once).</summary>
    /// <param name="previous">(N) int64, the previous token of each hypothesis.</param>
    /// <param name="state">The decoder state after the previous step (or from <see cref="Encode"/>).</param>
    /// <param name="memory">The encoder memory, one row per hypothesis or per sentence, as for <see cref="Step"/>.</param>
    /// <returns>The features ã (N, Q) (after dropout in training mode), the new state, and the attention weights (N, S) (null without attention).</returns>
    /// <exception cref="ArgumentException">N is not a multiple of the memory's rows, or a shape or id is out of range.</exception>
    public (Tensor Features, DecoderState State, Tensor? Attention) StepFeatures(Tensor previous, DecoderState state, EncoderMemory memory)
    {
        ThrowIfDisposed();
        TokenIdCheck.Check(previous, 1, Options.TargetVocabularySize, nameof(previous));
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(memory);
        if (attention is not null && previous.shape[0] % memory.Outputs.shape[0] != 0)
            throw new ArgumentException($"previous must have one row per hypothesis, a multiple of the memory's {memory.Outputs.shape[0]} rows, got {previous.shape[0]}", nameof(previous));
        using var scope = NewDisposeScope();
        var parts = new List<Tensor> { dropout.call(targetEmbedding.call(previous)) };
        Tensor? context = null, weights = null;
        if (Options.Attention == AttentionKind.Bahdanau)
        {
            (context, weights) = Attend(state.Recurrent.H[-1].unsqueeze(1), memory);
            parts.Add(context.squeeze(1));
        }
        if (Options.InputFeeding) parts.Add(state.Feed!);
        var (outputs, recurrent) = decoder.forward(cat(parts, 1).unsqueeze(1), state.Recurrent);
        var attentional = Attentional(outputs, memory, out var stepWeights, context);
        weights ??= stepWeights;
        var a = attentional.squeeze(1);
        var features = dropout.call(a);
        var next = new DecoderState(recurrent, Options.InputFeeding ? a : null);
        return (features.MoveToOuterDisposeScope(), next.MoveToOuterDisposeScope(), weights?.squeeze(1).MoveToOuterDisposeScope());
    }

    // ã = tanh(W_c [c; s]) for (N, T, Q) decoder outputs; Luong attention is queried here, Bahdanau's context comes in.
    private Tensor Attentional(Tensor outputs, EncoderMemory memory, out Tensor? weights, Tensor? context = null)
    {
        weights = null;
        if (attention is null) return outputs;
        if (context is null) (context, weights) = Attend(outputs, memory);
        return combine!.call(cat(new[] { context, outputs }, 2)).tanh();
    }

    // Attention of (R, T, Q) queries; with a memory of M < R rows (one step, G = R / M consecutive hypotheses per sentence)
    // a sentence's G queries attend together: the same products as G copies of its memory row, without the copies.
    private (Tensor Context, Tensor Weights) Attend(Tensor queries, EncoderMemory memory)
    {
        long r = queries.shape[0], m = memory.Outputs.shape[0];
        if (r == m) return attention!.forward(queries, memory.Keys!, memory.Outputs, memory.Valid);
        var (context, weights) = attention!.forward(queries.reshape(m, r / m, queries.shape[2]), memory.Keys!, memory.Outputs, memory.Valid);
        return (context.reshape(r, 1, context.shape[2]), weights.reshape(r, 1, weights.shape[2]));
    }

    private Tensor TopLayer(Tensor h) => Options.Bidirectional ? cat(new[] { h[-2], h[-1] }, 1) : h[-1];

    /// <summary>Frees the parameters; afterwards every member throws <see cref="ObjectDisposedException"/>.</summary>
    protected override void Dispose(bool disposing)
    {
        disposed = true;
        base.Dispose(disposing);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);
}
