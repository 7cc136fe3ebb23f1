using RnnMl.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Decoding;

/// <summary>Beam search: every sentence keeps the K best partial translations; all sentences and beams of a batch run as one (N·K) batch.</summary>
/// <remarks>
/// <para>At every step each live hypothesis is extended by every token; the K extensions with the highest summed
/// log-probability survive. A hypothesis that produced the end token (or reached its length limit,
/// <see cref="DecodingOptions.MaxLength"/>) is finished: it keeps its slot and its score and is extended no further.
/// A sentence stops when its most probable hypothesis is finished (no live hypothesis can then overtake it in summed
/// log-probability), and the search stops when every sentence has. The result per sentence is, among its hypotheses that
/// produced the end token (all of them if none did), the one with the best log-probability / length^α
/// (α = <see cref="DecodingOptions.LengthPenalty"/>, the length counting the end token).</para>
/// <para>With a beam width of 1 this is exactly <see cref="GreedyDecoder"/>. Padding and the begin token are never produced.
/// Put the model in eval mode first (<c>model.eval()</c>); decoding runs under no_grad.</para>
/// </remarks>
public static class BeamSearchDecoder
{
    /// <summary>Decodes a batch of source sentences.</summary>
    /// <param name="model">The model, in eval mode.</param>
    /// <param name="source">(N, S) int64 source ids, padded.</param>
    /// <param name="sourceLengths">(N) int64, each in [1, S].</param>
    /// <param name="options">Beam width, length penalty and limits; default <c>new DecodingOptions()</c>.</param>
    /// <returns>N decoded sentences in input order.</returns>
    /// <exception cref="ArgumentException">A shape, dtype, id or option is out of range.</exception>
    public static IReadOnlyList<DecodedSequence> Decode(Seq2SeqModel model, Tensor source, Tensor sourceLengths, DecodingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options = (options ?? new DecodingOptions()).Validate();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = source.device;
        int n = (int)source.shape[0], k = options.BeamWidth;
        long v = model.Options.TargetVocabularySize;
        var (encoded, initial) = model.Encode(source, sourceLengths);
        var expand = arange(n, ScalarType.Int64, device).repeat_interleave(k);
        var memory = encoded.Select(expand);
        var state = initial.Select(expand);
        var limitArray = GreedyDecoder.SourceLimits(sourceLengths, options);
        int steps = limitArray.Max();
        var limits = tensor(limitArray.Select(l => (long)l).ToArray(), ScalarType.Int64, device).repeat_interleave(k);

        // Only beam 0 is alive at the start, so the first step's K survivors are K different tokens.
        var scores = full(new long[] { n, k }, double.NegativeInfinity, ScalarType.Float32, device);
        scores[TensorIndex.Colon, 0] = 0;
        scores = scores.flatten();
        var finished = zeros(n * k, ScalarType.Bool, device);
        var ended = zeros(n * k, ScalarType.Bool, device);
        var produced = zeros(n * k, ScalarType.Int64, device);
        var banned = GreedyDecoder.BannedTokens(model, device);
        // A finished hypothesis's only extension: padding at no cost.
        var frozen = full(v, double.NegativeInfinity, ScalarType.Float32, device);
        frozen[RnnMl.Text.Vocabulary.PaddingId] = 0;
        var rowBase = (arange(n, ScalarType.Int64, device) * k).unsqueeze(1);
        var previous = full(n * k, model.Options.BeginId, ScalarType.Int64, device);
        var history = new List<(Tensor Tokens, Tensor Rows)>();
        for (int t = 0; t < steps; t++)
        {
            var (logits, next, _) = model.Step(previous, state, memory);
            var logp = logits.log_softmax(1).to(ScalarType.Float32) + banned;
            logp = where(finished.unsqueeze(1), frozen.unsqueeze(0), logp);
            var (top, index) = (scores.unsqueeze(1) + logp).view(n, k * v).topk(k, dim: 1);
            var rows = (rowBase + index.div(v, rounding_mode: RoundingMode.floor)).flatten();
            var token = index.remainder(v).flatten();
            scores = top.flatten();
            var wasFinished = finished.index_select(0, rows);
            var isEnd = token.eq(model.Options.EndId).logical_and(wasFinished.logical_not());
            produced = produced.index_select(0, rows) + wasFinished.logical_not().to(ScalarType.Int64);
            ended = ended.index_select(0, rows).logical_or(isEnd);
            // produced counts the end token, so a hypothesis without one has produced tokens of output.
            finished = wasFinished.logical_or(isEnd).logical_or(produced.ge(limits));
            // topk sorts, so slot 0 holds a sentence's most probable hypothesis. Once it is finished no live one can
            // overtake it (extending only lowers a sum of log-probabilities), and the sentence stops.
            var settled = finished.view(n, k)[TensorIndex.Colon, TensorIndex.Slice(0, 1)];
            finished = finished.view(n, k).logical_or(settled).flatten();
            state = next.Select(rows);
            history.Add((token, rows));
            previous = token;
            if (finished.all().item<bool>()) break;
        }

        var tokenHistory = stack(history.Select(h => h.Tokens).ToArray()).cpu().data<long>().ToArray();
        var rowHistory = stack(history.Select(h => h.Rows).ToArray()).cpu().data<long>().ToArray();
        var raw = scores.to(ScalarType.Float64).cpu().data<double>().ToArray();
        var length = produced.cpu().data<long>().ToArray();
        var normalized = raw.Select((s, i) => options.LengthPenalty == 0 || length[i] == 0 ? s : s / Math.Pow(length[i], options.LengthPenalty)).ToArray();
        var endedArray = ended.cpu().data<bool>().ToArray();
        var result = new DecodedSequence[n];
        int width = n * k;
        for (int i = 0; i < n; i++)
        {
            // Hypotheses that produced the end token compete; cut-off ones only when no hypothesis of the sentence ended.
            bool anyEnded = Enumerable.Range(i * k, k).Any(b => endedArray[b]);
            int best = -1;
            for (int b = i * k; b < (i + 1) * k; b++)
                if ((!anyEnded || endedArray[b]) && (best < 0 || normalized[b] > normalized[best])) best = b;
            int count = (int)length[best] - (endedArray[best] ? 1 : 0);
            // Walk the back-pointers from the last step to the first; a finished hypothesis's later steps are padding.
            var tokens = new List<long>();
            long row = best;
            for (int t = history.Count - 1; t >= 0; t--)
            {
                tokens.Add(tokenHistory[t * width + row]);
                row = rowHistory[t * width + row];
            }
            tokens.Reverse();
            result[i] = new DecodedSequence(tokens.Take(count).ToArray(), raw[best], normalized[best]);
        }
        return result;
    }
}
