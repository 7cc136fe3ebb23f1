using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Tests.Training;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

/// <summary><see cref="SequenceTagger.InitializeEmbedding"/>: pretrained rows set, the others redrawn on their scale,
/// padding 0, frozen or not; the character encoder is left alone.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class SequenceTaggerEmbeddingTests : OneTorchThread
{
    private static SequenceTaggerOptions Options() => new()
    {
        VocabularySize = 11, TagCount = 4, EmbeddingSize = 7, HiddenSize = 5, Dropout = 0,
        CharacterVocabularySize = 6, CharacterEmbeddingSize = 3, CharacterHiddenSize = 2,
    };

    private static Tensor Parameter(SequenceTagger model, string name) => model.named_parameters().Single(p => p.name == name).parameter;

    [Fact]
    public void InitializeEmbedding_SetsTheGivenRows_KeepsPaddingZero_RedrawsTheOthers_AndLeavesTheCharactersAlone()
    {
        manual_seed(7);
        using var model = SequenceTagger.Create(Options());
        var before = Parameter(model, "embedding.weight").detach().clone();
        var characters = model.named_parameters().Where(p => p.name.StartsWith("characters.", StringComparison.Ordinal))
            .Select(p => (p.name, values: p.parameter.detach().clone())).ToList();
        var rows = new Dictionary<int, float[]>
        {
            [3] = Enumerable.Range(0, 7).Select(i => 0.01f * i).ToArray(),
            [8] = Enumerable.Range(0, 7).Select(i => -0.02f * i).ToArray(),
        };

        int set = model.InitializeEmbedding(rows, freeze: false);

        var parameter = Parameter(model, "embedding.weight");
        var w = parameter.detach();
        Assert.Equal(2, set);
        Assert.Equal(rows[3], w[3].data<float>().ToArray());
        Assert.Equal(rows[8], w[8].data<float>().ToArray());
        Assert.All(w[0].data<float>().ToArray(), v => Assert.Equal(0f, v));
        // Unmatched rows are random, redrawn on the scale of the given values (σ ≈ 0.036), far below N(0, 1)'s.
        var others = w[4..8];
        Assert.True(others.abs().max().item<float>() < 0.5f, $"largest other value {others.abs().max().item<float>()}");
        Assert.True(others.abs().min().item<float>() > 0f);
        Assert.NotEqual(before[4..8].data<float>().ToArray(), others.data<float>().ToArray());
        Assert.True(parameter.requires_grad);
        Assert.NotEmpty(characters);
        foreach (var (name, values) in characters)
            Assert.Equal(values.data<float>().ToArray(), Parameter(model, name).detach().data<float>().ToArray());
    }

    [Fact]
    public void InitializeEmbedding_Frozen_StopsOnlyTheWordEmbeddingsGradient()
    {
        using var model = SequenceTagger.Create(Options());

        model.InitializeEmbedding(new Dictionary<int, float[]> { [2] = new float[7] }, freeze: true);

        Assert.False(Parameter(model, "embedding.weight").requires_grad);
        Assert.True(model.named_parameters().Where(p => p.name != "embedding.weight").All(p => p.parameter.requires_grad));
    }

    [Theory]
    [InlineData(0, 7)]
    [InlineData(11, 7)]
    [InlineData(2, 6)]
    public void InitializeEmbedding_BadIdOrLength_ThrowsNamingTheId(int id, int length)
    {
        using var model = SequenceTagger.Create(Options());

        var e = Assert.ThrowsAny<ArgumentException>(() => model.InitializeEmbedding(new Dictionary<int, float[]> { [id] = new float[length] }, freeze: false));

        Assert.Contains($"token id {id}", e.Message);
    }

    [Fact]
    public void InitializeEmbedding_AfterDispose_Throws()
    {
        var model = SequenceTagger.Create(Options());
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => model.InitializeEmbedding(new Dictionary<int, float[]>(), freeze: false));
    }
}
