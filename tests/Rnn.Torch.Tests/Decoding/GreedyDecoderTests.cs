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
public class GreedyDecoderTests : OneTorchThread
{
    private static readonly long[][] Sentences =
    {
        new long[] { 2, 3, 4, 5, 6, 7, 8 }, new long[] { 7 }, new long[] { 8, 9, 10 }, new long[] { 3, 3 },
        new long[] { 10, 9, 8, 7, 6 }, new long[] { 5, 4 }, new long[] { 6, 2, 9, 4 },
    };

    [Theory]
    // The end-token biases are chosen so that the sentences stop at 3 or more different steps, some at the end token
    // (steps 1 to 3) and, with attention, others at their length limits (4 to 10 tokens).
    [InlineData(AttentionKind.None, false, 0.15)]
    [InlineData(AttentionKind.Bahdanau, true, 0.5)]
    [InlineData(AttentionKind.LuongGeneral, false, 0.2)]
    public void Decode_DropsFinishedSentences_AndGivesWhatEachSentenceAloneGives(AttentionKind attention, bool inputFeeding, double endBias)
    {
        using var model = Model(attention, RecurrentCellKind.Lstm, inputFeeding, seed: 7);
        var output = (TorchSharp.Modules.Linear)model.named_children().Single(c => c.name == "output").module;
        using (no_grad()) output.bias![model.Options.EndId] += endBias;
        long rows = 0;
        output.register_forward_hook((_, input, result) => { rows += result.shape[0]; return result; });
        var options = new DecodingOptions { BeamWidth = 1, MaxLengthRatio = 1, MaxLengthOffset = 3 };
        bool keepAttention = attention != AttentionKind.None;
        var (source, lengths) = TokenBatch.Pad(Sentences);
        var batched = GreedyDecoder.Decode(model, source, lengths, options, keepAttention);
        long batchRows = rows;
        long expectedRows = 0;
        int endTokens = 0;
        var steps = new int[Sentences.Length];
        for (int i = 0; i < Sentences.Length; i++)
        {
            var (one, oneLength) = TokenBatch.Pad(new[] { Sentences[i] });
            var alone = GreedyDecoder.Decode(model, one, oneLength, options, keepAttention)[0];
            Assert.Equal(alone.Tokens, batched[i].Tokens);
            Assert.Equal(alone.LogProbability, batched[i].LogProbability, 4);
            if (keepAttention)
            {
                Assert.Equal(alone.Attention!.Length, batched[i].Attention!.Length);
                for (int t = 0; t < alone.Attention.Length; t++)
                    Assert.Equal(alone.Attention[t], batched[i].Attention![t], (a, b) => Math.Abs(a - b) < 1e-5);
            }
            // A sentence that stopped before its limit produced the end token: one more step than its tokens.
            bool ended = batched[i].Tokens.Length < options.MaxLength(Sentences[i].Length);
            steps[i] = batched[i].Tokens.Length + (ended ? 1 : 0);
            endTokens += ended ? 1 : 0;
            expectedRows += steps[i];
        }
        // The batch really finishes at different steps, some sentences at the end token ...
        Assert.True(steps.Distinct().Count() >= 3, string.Join(",", steps));
        Assert.InRange(endTokens, 1, Sentences.Length);
        // ... and the output layer saw one row per sentence and step it was still decoding, never a finished one.
        Assert.Equal(expectedRows, batchRows);
    }
}
