using RnnMl.Text.Decoding;
using RnnMl.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Decoding;

/// <summary>Greedy decoding: at every step each sentence takes its most probable next token, all sentences of a batch at once.</summary>
/// <remarks>
/// Padding and the begin token are never produced. A sentence stops at its end token or at its length limit
/// (<see cref="DecodingOptions.MaxLength"/>) and then leaves the batch: its rows of the decoder state, previous tokens
/// and encoder memory are dropped (<see cref="DecoderState.Select"/>, <see cref="EncoderMemory.Select"/>), so each step
/// computes only the sentences still decoding; the batch stops when every sentence has. Put the model in eval mode first
/// (<c>model.eval()</c>); decoding runs under no_grad.
/// </remarks>
public static class GreedyDecoder
{
    /// <summary>Decodes a batch of source sentences.</summary>
    /// <param name="model">The model, in eval mode.</param>
    /// <param name="source">(N, S) int64 source ids, padded.</param>
    /// <param name="sourceLengths">(N) int64, each in [1, S].</param>
    /// <param name="options">Length limits (the beam settings are ignored); default <c>new DecodingOptions()</c>.</param>
    /// <param name="keepAttention">Also return each step's attention weights over the source (needs an attention model).</param>
    /// <returns>N decoded sentences in input order.</returns>
    /// <exception cref="ArgumentException">A shape, dtype or id is out of range.</exception>
    public static IReadOnlyList<DecodedSequence> Decode(Seq2SeqModel model, Tensor source, Tensor sourceLengths, DecodingOptions? options = null, bool keepAttention = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        options = (options ?? new DecodingOptions()).Validate();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (memory, state) = model.Encode(source, sourceLengths);
        int n = (int)source.shape[0];
        var limits = SourceLimits(sourceLengths, options);
        int steps = limits.Max();
        var tokens = Enumerable.Range(0, n).Select(_ => new List<long>()).ToArray();
        var attention = keepAttention ? Enumerable.Range(0, n).Select(_ => new List<float[]>()).ToArray() : null;
        var logProbability = new double[n];
        var sourceLength = sourceLengths.cpu().data<long>().ToArray();
        var previous = full(n, model.Options.BeginId, ScalarType.Int64, source.device);
        var banned = BannedTokens(model, source.device);
        // The sentences still decoding: local row pos is sentence active[pos]. Finished sentences leave the batch.
        var active = Enumerable.Range(0, n).ToArray();
        for (int t = 0; t < steps && active.Length > 0; t++)
        {
            using var stepScope = NewDisposeScope();
            DecoderRowCounter.AddGreedy(active.Length);
            var (logits, next, weights) = model.Step(previous, state, memory);
            var (best, index) = logits.log_softmax(1).add(banned, PinnedScalars.One).max(1);
            var bestValues = best.to(ScalarType.Float64).cpu().data<double>().ToArray();
            var ids = index.cpu().data<long>().ToArray();
            float[]? w = keepAttention && weights is not null ? weights.to(ScalarType.Float32).cpu().data<float>().ToArray() : null;
            long s = memory.Valid.shape[1];
            var keep = new List<long>(active.Length);
            for (int pos = 0; pos < active.Length; pos++)
            {
                int i = active[pos];
                logProbability[i] += bestValues[pos];
                if (w is not null) attention![i].Add(w.AsSpan((int)(pos * s), (int)sourceLength[i]).ToArray());
                if (ids[pos] == model.Options.EndId) continue;
                tokens[i].Add(ids[pos]);
                if (tokens[i].Count < limits[i]) keep.Add(pos);
            }
            var (oldState, oldPrevious) = (state, previous);
            if (keep.Count == active.Length)
            {
                state = next.MoveToOuterDisposeScope();
                previous = index.MoveToOuterDisposeScope();
            }
            else
            {
                // Drop the rows of the sentences that finished: decoder state, previous tokens and encoder memory.
                var rows = tensor(keep.ToArray(), ScalarType.Int64, source.device);
                state = next.Select(rows).MoveToOuterDisposeScope();
                previous = index.index_select(0, rows).MoveToOuterDisposeScope();
                var oldMemory = memory;
                memory = memory.Select(rows).MoveToOuterDisposeScope();
                oldMemory.Dispose();
                active = keep.Select(pos => active[(int)pos]).ToArray();
            }
            oldState.Dispose();
            oldPrevious.Dispose();
        }
        return Enumerable.Range(0, n)
            .Select(i => new DecodedSequence(tokens[i].ToArray(), logProbability[i], logProbability[i], attention?[i].ToArray()))
            .ToArray();
    }

    /// <summary>The length limit of every sentence.</summary>
    internal static int[] SourceLimits(Tensor sourceLengths, DecodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(sourceLengths);
        return sourceLengths.cpu().to(ScalarType.Int64).data<long>().ToArray().Select(options.MaxLength).ToArray();
    }

    /// <summary>(V) float: −∞ at padding and begin, which a decoder must never produce; 0 elsewhere.</summary>
    internal static Tensor BannedTokens(Seq2SeqModel model, Device device)
    {
        var banned = zeros(model.Options.TargetVocabularySize, device: device);
        banned[RnnMl.Text.Vocabulary.PaddingId] = double.NegativeInfinity;
        banned[model.Options.BeginId] = double.NegativeInfinity;
        return banned;
    }
}
