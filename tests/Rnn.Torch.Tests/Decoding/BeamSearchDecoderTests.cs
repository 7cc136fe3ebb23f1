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

[Collection(GlobalTorchRandomCollection.Name)]
public class BeamSearchDecoderTests : OneTorchThread
{
    public static IEnumerable<object[]> Models() => new[]
    {
        new object[] { AttentionKind.None, false },
        new object[] { AttentionKind.Bahdanau, false },
        new object[] { AttentionKind.LuongDot, true },
        new object[] { AttentionKind.LuongGeneral, false },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Decode_WithBeamWidthOne_EqualsGreedy(AttentionKind attention, bool inputFeeding)
    {
        using var model = Model(attention, RecurrentCellKind.Lstm, inputFeeding);
        var (source, lengths) = Sources();
        var options = new DecodingOptions { BeamWidth = 1, MaxLengthOffset = 4 };
        var greedy = GreedyDecoder.Decode(model, source, lengths, options);
        var beam = BeamSearchDecoder.Decode(model, source, lengths, options);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(greedy[i].Tokens, beam[i].Tokens);
            Assert.Equal(greedy[i].LogProbability, beam[i].LogProbability, 4);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Decode_ABatch_EqualsDecodingEachSentenceAlone(int beamWidth)
    {
        using var model = Model(AttentionKind.Bahdanau);
        var sentences = new[] { new long[] { 2, 3, 4, 5, 6 }, new long[] { 7 }, new long[] { 8, 9, 10 }, new long[] { 3, 3 } };
        var options = new DecodingOptions { BeamWidth = beamWidth };
        var (source, lengths) = TokenBatch.Pad(sentences);
        var batched = Decode(model, source, lengths, options);
        for (int i = 0; i < sentences.Length; i++)
        {
            var (one, oneLength) = TokenBatch.Pad(new[] { sentences[i] });
            var alone = Decode(model, one, oneLength, options)[0];
            Assert.Equal(alone.Tokens, batched[i].Tokens);
            Assert.Equal(alone.Score, batched[i].Score, 4);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Decode_NeverProducesPaddingOrBeginAndStopsAtTheLengthLimit(int beamWidth)
    {
        using var model = Model(AttentionKind.LuongGeneral, seed: 11);
        var (source, lengths) = Sources();
        var options = new DecodingOptions { BeamWidth = beamWidth, MaxLengthRatio = 0.5, MaxLengthOffset = 1 };
        var decoded = Decode(model, source, lengths, options);
        var limits = new[] { 3, 2, 2 };
        for (int i = 0; i < 3; i++)
        {
            Assert.InRange(decoded[i].Tokens.Length, 0, limits[i]);
            Assert.DoesNotContain(decoded[i].Tokens, t => t is 0 or 2 or 3);
        }
    }

    [Fact]
    public void Decode_WiderBeam_WithoutLengthNormalisation_FindsAtLeastAsProbableATranslationAsGreedy()
    {
        using var model = Model(AttentionKind.LuongGeneral, seed: 5);
        var (source, lengths) = Sources();
        // Not a theorem (the greedy path can be pruned in favour of prefixes that end worse), but with α = 0 and a beam as
        // wide as the vocabulary on a tiny model a lower result would mean the search ranks or backtracks wrongly.
        var options = new DecodingOptions { LengthPenalty = 0, MaxLengthOffset = 3 };
        var greedy = GreedyDecoder.Decode(model, source, lengths, options);
        var beam = BeamSearchDecoder.Decode(model, source, lengths, options with { BeamWidth = TargetVocabulary });
        for (int i = 0; i < 3; i++) Assert.True(beam[i].LogProbability >= greedy[i].LogProbability - 1e-4, $"sentence {i}: {beam[i].LogProbability} < {greedy[i].LogProbability}");
    }

    [Theory]
    [InlineData(AttentionKind.LuongGeneral, false)]
    [InlineData(AttentionKind.Bahdanau, true)]
    public void Decode_LiveTensorsPerStep_DoNotGrowWithTheNumberOfSteps(AttentionKind attention, bool inputFeeding)
    {
        using var model = Model(attention, RecurrentCellKind.Lstm, inputFeeding);
        // The end token never wins, so every hypothesis runs to the length limit: 5 + 2·S steps or 60 + 2·S steps.
        var output = (TorchSharp.Modules.Linear)model.named_children().Single(c => c.name == "output").module;
        using (no_grad()) output.bias![model.Options.EndId] = -1e4;
        var live = new List<long>();
        output.register_forward_hook((_, _, result) =>
        {
            live.Add(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            return result;
        });
        var (source, lengths) = Sources();
        long PeakLive(int offset)
        {
            live.Clear();
            var decoded = BeamSearchDecoder.Decode(model, source, lengths, new DecodingOptions { BeamWidth = 4, MaxLengthOffset = offset });
            Assert.Equal(offset + 8, live.Count);
            Assert.Equal(offset + 8, decoded[0].Tokens.Length);
            return live.Max() - live[0];
        }
        long shortRun = PeakLive(5), longRun = PeakLive(60);
        // Each step's tensors go with the step; only the decoder state (and a step's own temporaries) are alive.
        Assert.True(longRun <= shortRun, $"live tensors grew by {longRun} over 68 steps but by {shortRun} over 13");
    }

    [Theory]
    [InlineData(AttentionKind.LuongGeneral, false, true)]
    [InlineData(AttentionKind.Bahdanau, true, false)]
    [InlineData(AttentionKind.None, false, false)]
    public void Decode_InRowBlocks_GivesTheHypothesesOfOneBlock(AttentionKind attention, bool inputFeeding, bool tie)
    {
        using var model = Model(attention, RecurrentCellKind.Gru, inputFeeding, seed: 7, tie: tie);
        // Sentences of different lengths stop at different steps, so the blocks cut across a shrinking batch.
        var sentences = new[] { new long[] { 2, 3, 4, 5, 6, 7, 8 }, new long[] { 9 }, new long[] { 4, 10, 3 }, new long[] { 5, 5, 6, 2, 9 }, new long[] { 7, 8 } };
        var (source, lengths) = TokenBatch.Pad(sentences);
        var options = new DecodingOptions { BeamWidth = 4, MaxLengthOffset = 5 };
        var whole = BeamSearchDecoder.Decode(model, source, lengths, options, blockRows: int.MaxValue);
        foreach (int block in new[] { 1, 3, 7 })
        {
            var blocked = BeamSearchDecoder.Decode(model, source, lengths, options, blockRows: block);
            for (int i = 0; i < sentences.Length; i++)
            {
                Assert.Equal(whole[i].Tokens, blocked[i].Tokens);
                // The same sums up to float rounding: a matrix product's rows can round differently with a different row count.
                Assert.Equal(whole[i].LogProbability, blocked[i].LogProbability, 1e-6 * Math.Abs(whole[i].LogProbability));
                Assert.Equal(whole[i].Score, blocked[i].Score, 1e-6 * Math.Abs(whole[i].Score));
            }
        }
    }

    [Fact]
    public void Greedy_KeepsOneAttentionRowPerStepOverTheRealSourceTokens()
    {
        using var model = Model(AttentionKind.Bahdanau);
        var (source, lengths) = Sources();
        var decoded = GreedyDecoder.Decode(model, source, lengths, keepAttention: true);
        var len = new[] { 4, 2, 3 };
        for (int i = 0; i < 3; i++)
        {
            var rows = decoded[i].Attention!;
            Assert.InRange(rows.Length, decoded[i].Tokens.Length, decoded[i].Tokens.Length + 1);
            Assert.All(rows, r => Assert.Equal(len[i], r.Length));
        }
    }

    [Fact]
    public void Options_OutOfRange_AreRefusedByName()
    {
        RnnAssert.Throws("BeamWidth", () => new DecodingOptions { BeamWidth = 0 }.Validate(), "0");
        RnnAssert.Throws("MaxLengthRatio", () => new DecodingOptions { MaxLengthRatio = -7 }.Validate(), "-7");
        RnnAssert.Throws("LengthPenalty", () => new DecodingOptions { LengthPenalty = -7 }.Validate(), "-7");
    }

    private static IReadOnlyList<DecodedSequence> Decode(Seq2SeqModel model, Tensor source, Tensor lengths, DecodingOptions options)
        => options.BeamWidth == 1 ? GreedyDecoder.Decode(model, source, lengths, options) : BeamSearchDecoder.Decode(model, source, lengths, options);
}
