using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

/// <summary>The models own native memory: after Dispose every member throws <see cref="ObjectDisposedException"/>
/// instead of reaching freed tensors.</summary>
public class ModelDisposalTests
{
    [Fact]
    public void SequenceClassifier_AfterDispose_EveryMemberThrowsObjectDisposed()
    {
        var model = SequenceClassifier.Create(new SequenceClassifierOptions { VocabularySize = 11, ClassCount = 3, EmbeddingSize = 4, HiddenSize = 5, Pooling = PoolingKind.Attention });
        using var tokens = tensor(new long[] { 2, 3, 4 }).reshape(1, 3);
        using var lengths = tensor(new long[] { 3 });
        model.Dispose();
        AssertDisposed(() => model.forward(tokens, lengths));
        AssertDisposed(() => model.ForwardWithAttention(tokens, lengths));
        AssertDisposed(() => model.Options);
        AssertDisposed(() => model.Encoder);
        AssertDisposed(() => model.Embedding);
        AssertDisposed(() => model.AttentionHidden);
        AssertDisposed(() => model.AttentionScore);
        AssertDisposed(() => model.Output);
    }

    [Fact]
    public void LanguageModel_AfterDispose_EveryMemberThrowsObjectDisposed()
    {
        var model = LanguageModel.Create(new LanguageModelOptions { VocabularySize = 11, EmbeddingSize = 4, HiddenSize = 5 });
        using var tokens = tensor(new long[] { 2, 3, 4 }).reshape(1, 3);
        using var hidden = zeros(1, 3, 5);
        model.Dispose();
        AssertDisposed(() => model.forward(tokens));
        AssertDisposed(() => model.Embed(tokens));
        AssertDisposed(() => model.Project(hidden));
        AssertDisposed(() => model.Options);
        AssertDisposed(() => model.Recurrent);
        AssertDisposed(() => model.Device);
    }

    [Fact]
    public void Seq2SeqModel_AfterDispose_EveryMemberThrowsObjectDisposed()
    {
        var model = Seq2SeqModel.Create(new Seq2SeqOptions { SourceVocabularySize = 11, TargetVocabularySize = 13, EmbeddingSize = 4, HiddenSize = 5 });
        using var source = tensor(new long[] { 2, 3, 4 }).reshape(1, 3);
        using var lengths = tensor(new long[] { 3 });
        var (memory, state) = model.Encode(source, lengths);
        model.Dispose();
        AssertDisposed(() => model.forward(source, lengths, source));
        AssertDisposed(() => model.Encode(source, lengths));
        AssertDisposed(() => model.Step(tensor(new long[] { 2 }), state, memory));
        AssertDisposed(() => model.Options);
        AssertDisposed(() => model.Encoder);
        AssertDisposed(() => model.Decoder);
        AssertDisposed(() => model.DecodesInParallel);
        AssertDisposed(() => model.SourceEmbedding);
        AssertDisposed(() => model.TargetEmbedding);
        AssertDisposed(() => model.BridgeH);
        AssertDisposed(() => model.BridgeC);
        AssertDisposed(() => model.Attention);
        AssertDisposed(() => model.Combine);
        AssertDisposed(() => model.Output);
    }

    private static void AssertDisposed(Func<object?> member) => Assert.Throws<ObjectDisposedException>(member);
}
