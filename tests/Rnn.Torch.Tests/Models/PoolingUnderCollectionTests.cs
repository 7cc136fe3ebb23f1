using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

/// <summary>
/// Guards the <c>PinnedScalars</c> workaround on the classifier's per-batch path: its pooling fills padded steps with 0
/// (mean) and −∞ (max, attention), and an ensemble subtracts log K. With literals there, a garbage collection on another
/// thread can free the implicitly created Scalar while libtorch reads it (seen once in a Release bench: "Expected false to
/// be true" from <c>Scalar::toFloat</c> in <c>masked_fill</c>). Thousands of forward passes against a thread that
/// collects in a loop: no failure and the same scores every time.
/// </summary>
public class PoolingUnderCollectionTests
{
    private const int Calls = 2_000;

    [Theory]
    [InlineData(PoolingKind.MeanMax)]
    [InlineData(PoolingKind.Attention)]
    public void EnsembleForward_WhileAnotherThreadCollects_NeverFailsAndGivesTheSameScores(PoolingKind pooling)
    {
        var members = Enumerable.Range(1, 2).Select(seed =>
        {
            manual_seed(seed);
            return SequenceClassifier.Create(new SequenceClassifierOptions { VocabularySize = 11, ClassCount = 7, EmbeddingSize = 4, HiddenSize = 3, Pooling = pooling });
        }).ToArray();
        using var ensemble = SequenceClassifierEnsemble.Create(members);
        ensemble.eval();
        using var tokens = tensor(new long[] { 2, 3, 4, 5, 6, 7, 8, 0, 0, 0 }).reshape(2, 5);
        using var lengths = tensor(new long[] { 5, 2 });

        var (failures, different, first) = UnderCollection.Run(() =>
        {
            using var noGrad = no_grad();
            return ensemble.forward(tokens, lengths);
        }, Calls);

        Assert.True(failures == 0, $"{failures} of {Calls} calls failed, first: {first}");
        Assert.Equal(0, different);
    }
}
