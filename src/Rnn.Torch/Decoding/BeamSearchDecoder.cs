using RnnMl.Text.Decoding;
using RnnMl.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Decoding;

/// <summary>Beam search: every sentence keeps the K best partial translations; all sentences and beams of a batch run as one (N·K) batch.</summary>
/// <remarks>
/// <para>The search itself is <see cref="BeamSearch"/> (shared with ONNX Runtime's <c>OnnxTranslator</c>, so both choose the
/// same translations): each step every live hypothesis offers its K + 1 most probable next tokens, a sentence keeps the K
/// best continuations by summed log-probability, a hypothesis that produces the end token leaves the beam and is ranked
/// by log-probability / length^α (α = <see cref="DecodingOptions.LengthPenalty"/>, the length counting the end token),
/// and a sentence stops once no live hypothesis can beat its best ended one (or, sooner, once K have ended and none of the
/// live ones would beat the best if it ended at the next step).</para>
/// <para>Memory: each step runs in its own dispose scope and keeps only the decoder state of the N·K live rows; the
/// output layer projects the rows a block at a time (2²¹ scores or 32 rows, whichever is more), and each block's scores are
/// cut to its rows' K + 2 best on the device before anything is copied, so the (N·K, V) scores of a step never exist at
/// once; finished hypotheses are CPU back-pointers. The encoder memory keeps one row per sentence (never one per
/// hypothesis): the K hypotheses of a sentence attend to it together (<see cref="Seq2SeqModel.StepFeatures"/> with grouped
/// rows). Peak memory is therefore a few (B, V) blocks and the (N·K, Q) state whatever the number of steps. The rows of
/// sentences that have stopped leave the batch. The block size does not change any result.</para>
/// <para>With a beam width of 1 this is exactly <see cref="GreedyDecoder"/>. Padding and the begin token are never produced.
/// Put the model in eval mode first (<c>model.eval()</c>); decoding runs under no_grad.</para>
/// </remarks>
public static class BeamSearchDecoder
{
    // The scores of one block of rows, B·V floats, are at most this many (8 MB): the projection, log_softmax and top-k of
    // a block run while its scores are in cache, and memory does not grow with the number of rows times V.
    private const int BlockElements = 1 << 21;

    // At least this many rows per block, so that the output layer stays one efficient matrix product.
    private const int MinimumBlockRows = 32;

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
        return Decode(model, source, sourceLengths, options, Math.Max(MinimumBlockRows, BlockElements / model.Options.TargetVocabularySize));
    }

    // blockRows: how many rows the output layer projects at once (the results do not depend on it; the tests vary it).
    internal static IReadOnlyList<DecodedSequence> Decode(Seq2SeqModel model, Tensor source, Tensor sourceLengths, DecodingOptions? options, int blockRows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockRows, 1);
        options = (options ?? new DecodingOptions()).Validate();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = source.device;
        int n = (int)source.shape[0], k = options.BeamWidth;
        int v = (int)model.Options.TargetVocabularySize;
        long beginId = model.Options.BeginId;
        var search = BeamSearch.Start(GreedyDecoder.SourceLimits(sourceLengths, options), v, beginId, model.Options.EndId, options);
        // The decoder runs the live rows only (local row j is global row live[j], in sentence order): at the first step
        // beam 0 of each sentence, later K per sentence, or fewer when pruning or a shrinking beam leaves fewer live.
        // The memory keeps one row per searching sentence (memory row pos is sentence active[pos]).
        var (memory, state) = model.Encode(source, sourceLengths);
        // −∞ written into the padding and begin columns in place: the same scores as adding GreedyDecoder.BannedTokens,
        // without a pass over all (N·K, V) scores.
        var banned = tensor(new long[] { RnnMl.Text.Vocabulary.PaddingId, beginId }, ScalarType.Int64, device);
        int c = search.CandidatesPerRow;
        // One more than needed, to see whether the C-th place is tied with the next (then that row is ranked exactly on the CPU).
        int fetch = Math.Min(c + 1, v);
        var values = new float[search.Rows * c];
        var tokens = new long[search.Rows * c];
        var active = Enumerable.Range(0, n).ToArray();
        var live = Enumerable.Range(0, n).Select(i => i * k).ToArray();
        var rowMemory = new RowMemory();
        try
        {
            while (!search.Done)
            {
                using var step = NewDisposeScope();
                int rows = live.Length;
                DecoderRowCounter.AddBeam(rows);
                var previous = tensor(live.Select(r => search.Previous[r]).ToArray(), ScalarType.Int64, device);
                var (features, next, _) = model.StepFeatures(previous, state, rowMemory.For(memory, active, live, k));
                for (int from = 0; from < rows; from += blockRows)
                {
                    // A block of rows at a time: the (B, V) scores go from the product to the top-k while in cache, and the
                    // (N·K, V) scores of the whole step never exist.
                    using var block = NewDisposeScope();
                    int size = Math.Min(blockRows, rows - from);
                    var logp = model.Project(features.narrow(0, from, size)).log_softmax(1).to(ScalarType.Float32).index_fill_(1, banned, PinnedScalars.MinusInfinity);
                    var (top, index) = logp.topk(fetch, dim: 1);
                    var topValues = top.cpu().data<float>().ToArray();
                    var topIndex = index.cpu().data<long>().ToArray();
                    for (int j = 0; j < size; j++)
                    {
                        int r = live[from + j];
                        if (fetch > c && topValues[j * fetch + c - 1] == topValues[j * fetch + c] && !float.IsNegativeInfinity(topValues[j * fetch + c]))
                        {
                            var row = logp[j].cpu().data<float>().ToArray();
                            BeamSearch.TopTokens(row, beginId, values.AsSpan(r * c, c), tokens.AsSpan(r * c, c));
                            continue;
                        }
                        // topk's order among equal values is unspecified; BeamSearch ranks by (value, id) itself.
                        for (int i = 0; i < c; i++)
                        {
                            values[r * c + i] = topValues[j * fetch + i];
                            tokens[r * c + i] = topIndex[j * fetch + i];
                        }
                    }
                }
                search.Advance(values, tokens);
                // Reorder the state by the back-pointers; rows that are no longer live (and stopped sentences) leave the batch.
                var (nextLive, parentOf) = search.LiveRows(live);
                if (nextLive.Length == 0) break;
                live = nextLive;
                var old = state;
                state = next.Select(tensor(parentOf.Select(j => (long)j).ToArray(), ScalarType.Int64, device)).MoveToOuterDisposeScope();
                old.Dispose();
                var memoryRows = Enumerable.Range(0, active.Length).Where(pos => !search.IsStopped(active[pos])).Select(pos => (long)pos).ToArray();
                if (memoryRows.Length < active.Length)
                {
                    var oldMemory = memory;
                    memory = memory.Select(tensor(memoryRows, ScalarType.Int64, device)).MoveToOuterDisposeScope();
                    oldMemory.Dispose();
                    active = memoryRows.Select(pos => active[pos]).ToArray();
                }
            }
        }
        finally
        {
            rowMemory.Dispose();
        }
        return search.Results().Select(h => new DecodedSequence(h.Tokens, h.LogProbability, h.Score)).ToArray();
    }
}
