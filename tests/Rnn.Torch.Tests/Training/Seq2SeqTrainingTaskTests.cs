using RnnMl.Torch.Decoding;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

[Collection(GlobalTorchRandomCollection.Name)]
public class Seq2SeqTrainingTaskTests : OneTorchThread
{
    [Fact]
    public void TeacherForcing_FeedsBeginThenTargetAndExpectsTargetThenEnd()
    {
        var (input, output) = Seq2SeqTrainingTask.TeacherForcing(new[] { new long[] { 5, 6 }, new long[] { 7 }, Array.Empty<long>() }, 2, 3);
        Assert.Equal(new long[] { 2, 5, 6, 2, 7, 0, 2, 0, 0 }, input.data<long>().ToArray());
        Assert.Equal(new long[] { 5, 6, 3, 7, 3, 0, 3, 0, 0 }, output.data<long>().ToArray());
    }

    [Fact]
    public void Create_WithMismatchedPairCounts_Throws()
    {
        using var model = Seq2SeqTestSupport.Model(AttentionKind.None);
        var one = new[] { new long[] { 2 } };
        RnnAssert.Throws("trainTargets", () => new Seq2SeqTrainingTask(model, one, Array.Empty<long[]>(), one, one, 4), "1", "0");
        RnnAssert.Throws("validTargets", () => new Seq2SeqTrainingTask(model, one, one, one, new[] { one[0], one[0] }, 4), "1", "2");
    }

    [Theory]
    [InlineData(AttentionKind.LuongGeneral, false, 1.0)]
    [InlineData(AttentionKind.Bahdanau, true, 0.8)]
    public void Fit_OnSequenceReversal_LearnsToReverse(AttentionKind attention, bool inputFeeding, double teacherForcing)
    {
        // Reversal needs the decoder to look at the far end of the source first: attention makes it easy.
        var random = new Random(1);
        List<long[]> Make(int count) => Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, random.Next(2, 6)).Select(_ => (long)random.Next(4, 10)).ToArray()).ToList();
        var train = Make(600);
        var valid = Make(40);
        List<long[]> Reverse(List<long[]> s) => s.Select(x => x.Reverse().ToArray()).ToList();
        manual_seed(2);
        using var model = Seq2SeqModel.Create(new Seq2SeqOptions
        {
            SourceVocabularySize = 10, TargetVocabularySize = 10, EmbeddingSize = 16, HiddenSize = 24,
            Attention = attention, InputFeeding = inputFeeding, TeacherForcingRatio = teacherForcing, Dropout = 0,
        });
        var task = new Seq2SeqTrainingTask(model, train, Reverse(train), valid, Reverse(valid), batchSize: 32);
        var result = Trainer.Create(new TrainerOptions { Epochs = 12, LearningRate = 0.01, Seed = 1 }).Fit(task);
        Assert.True(result.History[^1].ValidationLoss < result.History[0].ValidationLoss);

        model.eval();
        var (source, lengths) = TokenBatch.Pad(valid);
        var decoded = BeamSearchDecoder.Decode(model, source, lengths, new DecodingOptions { BeamWidth = 3 });
        var expected = Reverse(valid);
        int exact = Enumerable.Range(0, valid.Count).Count(i => decoded[i].Tokens.SequenceEqual(expected[i]));
        Assert.True(exact >= 36, $"only {exact} of {valid.Count} reversed exactly");
    }
}
