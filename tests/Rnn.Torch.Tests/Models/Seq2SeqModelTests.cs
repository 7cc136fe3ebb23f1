using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;
using static RnnMl.Torch.Tests.Support.Seq2SeqTestSupport;

namespace RnnMl.Torch.Tests.Models;

[Collection(GlobalTorchRandomCollection.Name)]
public class Seq2SeqModelTests : OneTorchThread
{
    private static readonly Tensor TargetInput = tensor(new long[] { 2, 5, 6, 7, 2, 8, 0, 0, 2, 9, 10, 11 }, new long[] { 3, 4 });

    public static IEnumerable<object[]> Configurations()
    {
        foreach (var attention in Enum.GetValues<AttentionKind>())
        {
            foreach (var cell in new[] { RecurrentCellKind.Gru, RecurrentCellKind.Lstm, RecurrentCellKind.Rnn })
                yield return new object[] { attention, cell, false };
            if (attention != AttentionKind.None) yield return new object[] { attention, RecurrentCellKind.Lstm, true };
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Forward_InEvalMode_EqualsStepByStepDecoding(AttentionKind attention, RecurrentCellKind cell, bool inputFeeding)
    {
        using var model = Model(attention, cell, inputFeeding, layers: 2);
        var (source, lengths) = Sources();
        using var logits = model.forward(source, lengths, TargetInput);
        Assert.Equal(new long[] { 3, 4, TargetVocabulary }, logits.shape);

        var (memory, state) = model.Encode(source, lengths);
        for (int t = 0; t < 4; t++)
        {
            var (step, next, _) = model.Step(TargetInput[TensorIndex.Colon, TensorIndex.Single(t)], state, memory);
            RnnAssert.Close(logits[TensorIndex.Colon, TensorIndex.Single(t)], step, 1e-5, $"step {t}");
            state = next;
        }
    }

    [Theory]
    [InlineData(AttentionKind.Bahdanau)]
    [InlineData(AttentionKind.LuongDot)]
    [InlineData(AttentionKind.LuongGeneral)]
    public void Attention_GivesPaddedSourceStepsZeroWeight(AttentionKind attention)
    {
        using var model = Model(attention);
        var (source, lengths) = Sources();
        var (memory, state) = model.Encode(source, lengths);
        var (_, _, weights) = model.Step(full(3, 2L), state, memory);
        Assert.NotNull(weights);
        var w = weights!.data<float>().ToArray();
        var len = new[] { 4, 2, 3 };
        for (int n = 0; n < 3; n++)
        {
            for (int s = len[n]; s < 4; s++) Assert.Equal(0f, w[n * 4 + s]);
            Assert.Equal(1.0, w.Skip(n * 4).Take(len[n]).Sum(x => (double)x), 5);
            Assert.All(w.Skip(n * 4).Take(len[n]), x => Assert.True(x > 0));
        }
    }

    [Theory]
    [MemberData(nameof(AttentionKinds), MemberType = typeof(Seq2SeqTestSupport))]
    public void Forward_OfAPaddedSentence_EqualsTheSentenceAlone(AttentionKind attention)
    {
        using var model = Model(attention);
        var (source, lengths) = Sources();
        using var batched = model.forward(source, lengths, TargetInput);
        // Sentence 1 has two source tokens; alone it needs no padding, and whatever the padding held must not matter.
        using var alone = model.forward(tensor(new long[] { 6, 7 }, new long[] { 1, 2 }), tensor(new long[] { 2 }), TargetInput[TensorIndex.Slice(1, 2)]);
        RnnAssert.Close(batched[TensorIndex.Slice(1, 2)], alone, 1e-5);
        var changed = source.clone();
        changed[1, 2] = 9;
        changed[1, 3] = 10;
        using var other = model.forward(changed, lengths, TargetInput);
        RnnAssert.Close(batched, other, 1e-6);
    }

    [Fact]
    public void Forward_WithTeacherForcingBelowOne_RunsStepByStepInTrainingOnly()
    {
        using var model = Model(AttentionKind.LuongGeneral, teacherForcing: 0.5);
        Assert.True(model.DecodesInParallel);
        model.train();
        Assert.False(model.DecodesInParallel);
        var (source, lengths) = Sources();
        using var logits = model.forward(source, lengths, TargetInput);
        Assert.Equal(new long[] { 3, 4, TargetVocabulary }, logits.shape);
        using var loss = logits.sum();
        loss.backward();
        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
    }

    [Fact]
    public void Bridge_StartsTheDecoderFromTheEncodersFinalStates()
    {
        using var model = Model(AttentionKind.None, RecurrentCellKind.Lstm, layers: 2);
        var (source, lengths) = Sources();
        var (_, state) = model.Encode(source, lengths);
        Assert.Equal(new long[] { 2, 3, 10 }, state.Recurrent.H.shape);
        Assert.Equal(new long[] { 2, 3, 10 }, state.Recurrent.C!.shape);
        // Without attention the source reaches the decoder through the bridge alone, so a different source must change it.
        var (_, other) = model.Encode(tensor(new long[] { 9, 9, 9, 9, 9, 9, 0, 0, 9, 9, 9, 0 }, new long[] { 3, 4 }), lengths);
        Assert.True(state.Recurrent.H.sub(other.Recurrent.H).abs().max().item<float>() > 1e-4);
    }

    [Fact]
    public void Options_OutOfRange_AreRefusedByName()
    {
        var ok = new Seq2SeqOptions { SourceVocabularySize = 11, TargetVocabularySize = 13 };
        RnnAssert.Throws("TargetVocabularySize", () => (ok with { TargetVocabularySize = 3 }).Validate(), "3");
        RnnAssert.Throws("SourceVocabularySize", () => (ok with { SourceVocabularySize = 1 }).Validate(), "1");
        RnnAssert.Throws("EndId", () => (ok with { EndId = 2 }).Validate(), "2");
        RnnAssert.Throws("DecoderHiddenSize", () => (ok with { Attention = AttentionKind.LuongDot, DecoderHiddenSize = 7 }).Validate(), "256", "7");
        RnnAssert.Throws("InputFeeding", () => (ok with { Attention = AttentionKind.None, InputFeeding = true }).Validate(), "None");
        RnnAssert.Throws("TeacherForcingRatio", () => (ok with { TeacherForcingRatio = 7 }).Validate(), "7");
        RnnAssert.Throws("EncoderLayers", () => (ok with { EncoderLayers = 0 }).Validate(), "0");
    }

    [Fact]
    public void Forward_WithIdsOutsideTheVocabulary_Throws()
    {
        using var model = Model(AttentionKind.Bahdanau);
        var (source, lengths) = Sources();
        RnnAssert.Throws("targetInput", () => model.forward(source, lengths, full(3, 2, (long)TargetVocabulary)), "12", "13");
        RnnAssert.Throws("source", () => model.forward(source.add(7), lengths, TargetInput), "10", "17");
        RnnAssert.Throws("targetInput", () => model.forward(source, lengths, TargetInput[TensorIndex.Slice(0, 2)]), "3", "2");
    }
}
