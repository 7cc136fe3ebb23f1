using RnnMl.Text.Decoding;
using RnnMl.Torch.Decoding;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Tests.Training;
using RnnMl.Torch.Text;
using static TorchSharp.torch;
using static RnnMl.Torch.Tests.Support.Seq2SeqTestSupport;

namespace RnnMl.Torch.Tests.Decoding;

/// <summary>
/// Beam search with pruning, where sentences hold different numbers of live rows: the decoder (live rows only, encoder
/// memory grouped or copied per row) against a reference that runs all N·K rows every step with one memory row per row.
/// </summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class BeamPruningDecoderTests : OneTorchThread
{
    [Theory]
    [InlineData(AttentionKind.LuongGeneral, false, 0.0, 0, false)]
    [InlineData(AttentionKind.LuongGeneral, false, 0.85, 0, false)]
    [InlineData(AttentionKind.Bahdanau, true, 0.7, 2, true)]
    [InlineData(AttentionKind.LuongDot, false, 0.9, 0, true)]
    [InlineData(AttentionKind.None, false, 0.6, 0, true)]
    [InlineData(AttentionKind.None, false, 0.9, 0, false)]
    [InlineData(AttentionKind.Bahdanau, false, 0.5, 3, false)]
    public void Decode_WithPruning_EqualsRunningEveryRow(AttentionKind attention, bool inputFeeding, double rp, int mc, bool shrink)
    {
        using var model = Model(attention, RecurrentCellKind.Gru, inputFeeding, seed: 7);
        var sentences = new[] { new long[] { 2, 3, 4, 5, 6, 7, 8 }, new long[] { 9 }, new long[] { 4, 10, 3 }, new long[] { 5, 5, 6, 2, 9 }, new long[] { 7, 8 } };
        var (source, lengths) = TokenBatch.Pad(sentences);
        var options = new DecodingOptions { BeamWidth = 4, MaxLengthOffset = 6, RelativeThreshold = rp, MaxCandidatesPerHypothesis = mc, ShrinkBeamOnEnd = shrink };
        var expected = Reference(model, source, lengths, options, out bool unevenRows);
        // Pruning must leave sentences with different numbers of live rows at some step (the memory-per-row path);
        // without it every searching sentence keeps K live rows (the grouped memory, as before pruning existed).
        Assert.True(unevenRows == rp > 0, $"sentences with different numbers of live rows: {unevenRows}, relative threshold {rp}");
        foreach (int block in new[] { int.MaxValue, 3 })
        {
            var decoded = BeamSearchDecoder.Decode(model, source, lengths, options, blockRows: block);
            for (int i = 0; i < sentences.Length; i++)
            {
                Assert.Equal(expected[i].Tokens, decoded[i].Tokens);
                Assert.Equal(expected[i].LogProbability, decoded[i].LogProbability, 1e-5 * Math.Abs(expected[i].LogProbability));
                Assert.Equal(expected[i].Score, decoded[i].Score, 1e-5 * Math.Abs(expected[i].Score));
            }
        }
    }

    // The plain loop: every one of the N·K rows runs every step, with its own copy of its sentence's memory; the shared
    // BeamSearch reads the live rows' best tokens (ranked exactly on the CPU) and the state follows the back-pointers.
    private static BeamHypothesis[] Reference(Seq2SeqModel model, Tensor source, Tensor lengths, DecodingOptions options, out bool unevenRows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int n = (int)source.shape[0], k = options.BeamWidth, v = TargetVocabulary;
        long begin = model.Options.BeginId;
        var search = BeamSearch.Start(GreedyDecoder.SourceLimits(lengths, options), v, begin, model.Options.EndId, options);
        var (memory, state) = model.Encode(source, lengths);
        var expand = tensor(Enumerable.Range(0, n * k).Select(r => (long)(r / k)).ToArray());
        memory = memory.Select(expand);
        state = state.Select(expand);
        int c = search.CandidatesPerRow;
        var values = new float[search.Rows * c];
        var tokens = new long[search.Rows * c];
        unevenRows = false;
        while (!search.Done)
        {
            var counts = Enumerable.Range(0, n).Where(i => !search.IsStopped(i))
                .Select(i => Enumerable.Range(i * k, k).Count(search.IsLive)).Distinct().Count();
            unevenRows |= search.Steps > 0 && counts > 1;
            var (logits, next, _) = model.Step(tensor(search.Previous), state, memory);
            var logp = logits.log_softmax(1).to(ScalarType.Float32).cpu().data<float>().ToArray();
            for (int r = 0; r < search.Rows; r++)
                if (search.IsLive(r)) BeamSearch.TopTokens(logp.AsSpan(r * v, v), begin, values.AsSpan(r * c, c), tokens.AsSpan(r * c, c));
            search.Advance(values, tokens);
            state = next.Select(tensor(search.Parents.Select(p => (long)p).ToArray()));
        }
        return search.Results();
    }
}
