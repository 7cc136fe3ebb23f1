using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>
/// Attention over the encoded source: scores every source step against a query, masks padding, and returns the
/// softmax weights and the weighted sum of the encoder outputs (the context).
/// </summary>
/// <remarks>
/// Shapes: N batch, T query steps, S source steps, E encoder output size, Q query size (the decoder's hidden size).
/// Scores: Bahdanau vᵀ tanh(W_k e_s + W_q q_t); LuongDot q_tᵀ e_s; LuongGeneral q_tᵀ W_a e_s. The key projection
/// (W_k e_s or W_a e_s) depends on the source only, so <see cref="Keys"/> computes it once per sentence and every decoder
/// step reuses it. Padded source steps get a score of −∞ and therefore a weight of exactly 0.
/// Parameters: <c>key.weight</c> (Bahdanau, LuongGeneral), <c>query.weight</c> and <c>score.weight</c> (Bahdanau).
/// </remarks>
public sealed class Seq2SeqAttention : nn.Module
{
    private readonly Linear? key;
    private readonly Linear? query;
    private readonly Linear? score;

    private Seq2SeqAttention(AttentionKind kind, int encoderSize, int querySize, Device? device) : base(nameof(Seq2SeqAttention))
    {
        Kind = kind;
        switch (kind)
        {
            case AttentionKind.Bahdanau:
                key = nn.Linear(encoderSize, querySize, hasBias: false, device: device);
                query = nn.Linear(querySize, querySize, hasBias: true, device: device);
                score = nn.Linear(querySize, 1, hasBias: false, device: device);
                break;
            case AttentionKind.LuongGeneral:
                key = nn.Linear(encoderSize, querySize, hasBias: false, device: device);
                break;
            case AttentionKind.LuongDot:
                if (encoderSize != querySize)
                    throw new ArgumentException($"dot attention needs the query size to equal the encoder size {encoderSize}, got {querySize}", nameof(querySize));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, $"attention must be Bahdanau, LuongDot or LuongGeneral, got {kind}");
        }
        if (key is not null) register_module("key", key);
        if (query is not null) register_module("query", query);
        if (score is not null) register_module("score", score);
    }

    /// <summary>Creates an attention module.</summary>
    /// <param name="kind">Bahdanau, LuongDot or LuongGeneral.</param>
    /// <param name="encoderSize">E, the encoder output size.</param>
    /// <param name="querySize">Q, the query (decoder hidden) size; equal to E for LuongDot.</param>
    /// <param name="device">Where the parameters live; default CPU.</param>
    /// <exception cref="ArgumentException">The kind is None or undefined, or dot attention with Q ≠ E.</exception>
    public static Seq2SeqAttention Create(AttentionKind kind, int encoderSize, int querySize, Device? device = null)
        => new(kind, encoderSize, querySize, device);

    /// <summary>The scoring function.</summary>
    public AttentionKind Kind { get; }

    /// <summary>The source projection W_k, E → Q without bias (Bahdanau, LuongGeneral); null for LuongDot.</summary>
    public Linear? Key => key;

    /// <summary>The query projection W_q, Q → Q with bias (Bahdanau); null otherwise.</summary>
    public Linear? Query => query;

    /// <summary>The score vector v, Q → 1 without bias (Bahdanau); null otherwise.</summary>
    public Linear? Score => score;

    /// <summary>The source-only part of the score, computed once per batch of sentences.</summary>
    /// <param name="encoded">Encoder outputs (N, S, E).</param>
    /// <returns>(N, S, Q) for Bahdanau and LuongGeneral; <paramref name="encoded"/> itself for LuongDot.</returns>
    public Tensor Keys(Tensor encoded) => key is null ? encoded.alias() : key.call(encoded);

    /// <summary>Attends with T queries at once.</summary>
    /// <param name="queries">(N, T, Q).</param>
    /// <param name="keys">From <see cref="Keys"/>, (N, S, Q).</param>
    /// <param name="values">Encoder outputs (N, S, E).</param>
    /// <param name="valid">(N, S) Boolean, true at real (not padded) source steps; every row needs at least one.</param>
    /// <returns>Context (N, T, E) and weights (N, T, S), each row of weights summing to 1 over the valid steps.</returns>
    public (Tensor Context, Tensor Weights) forward(Tensor queries, Tensor keys, Tensor values, Tensor valid)
    {
        Tensor scores;
        if (Kind == AttentionKind.Bahdanau)
        {
            // (N, T, 1, Q) + (N, 1, S, Q) → (N, T, S, Q) → (N, T, S).
            var q = query!.call(queries).unsqueeze(2);
            scores = score!.call(q.add(keys.unsqueeze(1), PinnedScalars.One).tanh()).squeeze(3);
        }
        else
        {
            scores = queries.bmm(keys.transpose(1, 2));
        }
        var weights = scores.masked_fill(valid.logical_not().unsqueeze(1), PinnedScalars.MinusInfinity).softmax(2);
        return (weights.bmm(values), weights);
    }
}
