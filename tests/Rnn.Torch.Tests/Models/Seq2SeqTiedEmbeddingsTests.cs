using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;
using static RnnMl.Torch.Tests.Support.Seq2SeqTestSupport;

namespace RnnMl.Torch.Tests.Models;

/// <summary>Tied output embeddings: one matrix for the target embedding and the output layer, with a projection when the
/// decoder size differs from the embedding size.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class Seq2SeqTiedEmbeddingsTests : OneTorchThread
{
    private static readonly Tensor TargetInput = tensor(new long[] { 2, 5, 6, 7, 2, 8, 0, 0, 2, 9, 10, 11 }, new long[] { 3, 4 });
    private static readonly Tensor TargetOutput = tensor(new long[] { 5, 6, 7, 3, 8, 3, 0, 0, 9, 10, 11, 3 }, new long[] { 3, 4 });

    private static long Count(nn.Module model) => model.parameters().Sum(p => p.numel());

    [Theory]
    [InlineData(10)] // Q = 2·5 = embedding size: no projection
    [InlineData(6)]  // Q ≠ embedding size: a 10 → 6 projection
    public void ParameterCount_DropsByTheOutputMatrix(int embedding)
    {
        using var untied = Model(AttentionKind.LuongGeneral, embedding: embedding);
        using var tied = Model(AttentionKind.LuongGeneral, embedding: embedding, tie: true);
        long q = 10, projection = embedding == q ? 0 : q * embedding;
        Assert.Equal(Count(untied) - q * TargetVocabulary + projection, Count(tied));
        Assert.Null(tied.Output);
        Assert.Equal(embedding != q, tied.TieProjection is not null);
        Assert.Equal(new long[] { TargetVocabulary }, tied.OutputBias!.shape);
        Assert.Equal(1, tied.parameters().Count(p => p.shape.SequenceEqual(new long[] { TargetVocabulary, embedding })));
    }

    [Fact]
    public void Gradient_OfTheSharedMatrix_IsTheSumOfBothUses()
    {
        // Tied Q = E = 10 against an untied copy whose output weight equals the embedding: the tied matrix's gradient must be
        // the untied embedding's gradient plus the untied output weight's gradient, and one SGD step moves both uses.
        using var tied = Model(AttentionKind.LuongGeneral, embedding: 10, tie: true);
        using var untied = Model(AttentionKind.LuongGeneral, embedding: 10);
        using (no_grad())
        {
            var target = untied.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, parameter) in tied.named_parameters())
                if (name != "output_bias") target[name].copy_(parameter);
            untied.Output!.weight!.copy_(tied.TargetEmbedding.weight!);
            untied.Output.bias!.copy_(tied.OutputBias!);
        }
        var (source, lengths) = Sources();
        Tensor Loss(Seq2SeqModel m) => nn.functional.cross_entropy(m.forward(source, lengths, TargetInput).reshape(-1, TargetVocabulary),
            TargetOutput.reshape(-1), ignore_index: 0);
        var tiedLoss = Loss(tied);
        var untiedLoss = Loss(untied);
        RnnAssert.Close(untiedLoss, tiedLoss, 1e-6, "same function before the step");
        tiedLoss.backward();
        untiedLoss.backward();
        var expected = untied.TargetEmbedding.weight!.grad!.add(untied.Output!.weight!.grad!);
        Assert.True(untied.Output.weight!.grad!.abs().sum().item<float>() > 1e-4f, "the output use must contribute a gradient");
        RnnAssert.Close(expected, tied.TargetEmbedding.weight!.grad!, 1e-6, "shared gradient");

        using var sgd = optim.SGD(tied.parameters(), 0.5);
        var before = tied.TargetEmbedding.weight!.detach().clone();
        sgd.step();
        using (no_grad())
        {
            // After the step the output layer reads the moved embedding: logits = features · embᵀ + b.
            var features = randn(4, 10);
            var moved = tied.TargetEmbedding.weight!;
            Assert.False(moved.allclose(before), "the step must move the embedding");
            RnnAssert.Close(nn.functional.linear(features, moved, tied.OutputBias!), tied.Project(features), 1e-6, "output uses the moved matrix");
        }
    }

    [Theory]
    [InlineData(AttentionKind.Bahdanau, false)]
    [InlineData(AttentionKind.LuongDot, true)]
    [InlineData(AttentionKind.LuongGeneral, false)]
    public void Step_WithOneMemoryRowPerSentence_EqualsTheMemoryRepeatedPerHypothesis(AttentionKind attention, bool inputFeeding)
    {
        using var model = Model(attention, RecurrentCellKind.Lstm, inputFeeding, tie: true);
        var (source, lengths) = Sources();
        using var noGrad = no_grad();
        var (memory, state) = model.Encode(source, lengths);
        var repeat = tensor(new long[] { 0, 0, 1, 1, 2, 2 });
        var expanded = state.Select(repeat);
        var previous = tensor(new long[] { 2, 5, 7, 2, 9, 4 });
        var (expectedLogits, expectedState, expectedWeights) = model.Step(previous, expanded, memory.Select(repeat));
        var (logits, next, weights) = model.Step(previous, expanded, memory);
        RnnAssert.Close(expectedLogits, logits, 1e-6, "logits");
        RnnAssert.Close(expectedState.Recurrent.H, next.Recurrent.H, 1e-6, "h");
        RnnAssert.Close(expectedWeights!, weights!, 1e-6, "attention");
        Assert.Equal(new long[] { 6, 4 }, weights!.shape);
        var error = Assert.Throws<ArgumentException>(() => model.Step(tensor(new long[] { 2, 2, 2, 2 }), state.Select(tensor(new long[] { 0, 0, 1, 1 })), memory));
        Assert.Equal("previous", error.ParamName);
        Assert.Contains("3 rows, got 4", error.Message);
    }
}
