using RnnMl.Text.Decoding;
using RnnMl.Torch.Decoding;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using TorchSharp;
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
    [InlineData(AttentionKind.LuongGeneral, false)]
    [InlineData(AttentionKind.Bahdanau, true)]
    public void Evaluate_ChunkedLossOverRealPositions_EqualsTheFullLogitsLossAndGradients(AttentionKind attention, bool inputFeeding)
    {
        // A vocabulary of 2^20 makes the task project 4 rows per chunk (2^22 elements), so these 11 target positions take
        // 3 chunks; the reference projects everything, padding included, and lets cross_entropy ignore padding.
        const int v = 1 << 20;
        manual_seed(7);
        using var model = Seq2SeqModel.Create(new Seq2SeqOptions
        {
            SourceVocabularySize = 11, TargetVocabularySize = v, EmbeddingSize = 3, HiddenSize = 2,
            Attention = attention, InputFeeding = inputFeeding, Dropout = 0,
        });
        model.to(ScalarType.Float64);
        var sources = new[] { new long[] { 4, 5, 6 }, new long[] { 7 }, new long[] { 8, 9 } };
        var targets = new[] { new long[] { 900_001, 5, 6, 70 }, new long[] { 1_000_000 }, new long[] { 8, 9, 4 } };
        var task = new Seq2SeqTrainingTask(model, sources, targets, sources, targets, batchSize: 3, labelSmoothing: 0.1);
        // What reaches the output layer: never the padded (N, T, Q) batch, only chunks of at most 4 real positions.
        var projected = new List<long[]>();
        var output = (TorchSharp.Modules.Linear)model.named_children().Single(c => c.name == "output").module;
        var hook = output.register_forward_hook((_, input, result) => { projected.Add(input.shape); return result; });
        var result = task.Evaluate(new ExampleBatch(false, new[] { 0, 1, 2 }), training: true);
        hook.remove();
        Assert.Equal(11, result.Count);
        long q = model.Options.ResolvedDecoderHiddenSize;
        Assert.Equal(new[] { new long[] { 4, q }, new long[] { 4, q }, new long[] { 3, q } }, projected);
        result.Loss.backward();
        var grads = model.parameters().Select(p => p.grad!.clone()).ToArray();
        model.zero_grad();

        var (source, lengths) = TokenBatch.Pad(sources);
        var (input, expected) = Seq2SeqTrainingTask.TeacherForcing(targets, 2, 3);
        var logits = model.forward(source, lengths, input);
        var reference = nn.functional.cross_entropy(logits.view(-1, v), expected.flatten(), ignore_index: 0, label_smoothing: 0.1);
        reference.backward();
        Assert.Equal(reference.item<double>(), result.Loss.item<double>(), 10);
        var expectedGrads = model.parameters().Select(p => p.grad!).ToArray();
        for (int i = 0; i < grads.Length; i++)
            Assert.True(grads[i].allclose(expectedGrads[i], rtol: 1e-9, atol: 1e-12), $"parameter {i}: gradients differ");
        long right = logits.argmax(2).flatten().eq(expected.flatten()).logical_and(expected.flatten().ne(0)).sum().item<long>();
        Assert.Equal(right, result.MetricSums!["accuracy"]);
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
