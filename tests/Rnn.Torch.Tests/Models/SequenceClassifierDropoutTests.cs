using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Training;
using SequenceClassifier = RnnMl.Torch.Models.SequenceClassifier;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

[Collection(GlobalTorchRandomCollection.Name)]
public class SequenceClassifierDropoutTests
{
    private static SequenceClassifierOptions Options(double embedding, double input, double output) => new()
    {
        VocabularySize = 11, ClassCount = 3, EmbeddingSize = 7, HiddenSize = 5, Dropout = 0,
        EmbeddingDropout = embedding, InputDropout = input, OutputDropout = output,
    };

    [Theory]
    [InlineData(0.5, 0, 0)]
    [InlineData(0, 0.5, 0)]
    [InlineData(0, 0, 0.5)]
    public void EachDropout_ActsInTrainingAndNotInEval(double embedding, double input, double output)
    {
        manual_seed(7);
        using var model = SequenceClassifier.Create(Options(embedding, input, output));
        using var tokens = tensor(new long[] { 2, 3, 4, 5, 6, 7, 8, 9, 10, 2, 3, 4, 5, 6 }).reshape(2, 7);
        using var lengths = tensor(new long[] { 7, 5 });

        model.eval();
        using var a = model.forward(tokens, lengths);
        using var b = model.forward(tokens, lengths);
        model.train();
        using var c = model.forward(tokens, lengths);
        using var d = model.forward(tokens, lengths);

        Assert.True(a.allclose(b, rtol: 0, atol: 0), "eval mode must be deterministic");
        Assert.False(c.allclose(d), "training mode must drop something");
        Assert.False(a.allclose(c), "training mode must differ from eval mode");
    }

    [Fact]
    public void NoDropout_TrainingEqualsEval()
    {
        manual_seed(7);
        using var model = SequenceClassifier.Create(Options(0, 0, 0));
        using var tokens = tensor(new long[] { 2, 3, 4, 5, 6, 7, 8, 9, 10, 2, 3, 4, 5, 6 }).reshape(2, 7);
        using var lengths = tensor(new long[] { 7, 5 });

        model.train();
        using var c = model.forward(tokens, lengths);
        model.eval();
        using var a = model.forward(tokens, lengths);

        Assert.True(a.allclose(c, rtol: 1e-6, atol: 1e-7));
    }

    [Theory]
    [InlineData(nameof(SequenceClassifierOptions.EmbeddingDropout))]
    [InlineData(nameof(SequenceClassifierOptions.InputDropout))]
    [InlineData(nameof(SequenceClassifierOptions.OutputDropout))]
    public void Validate_DropoutOfOne_ThrowsNamingTheOption(string name)
    {
        var options = name switch
        {
            nameof(SequenceClassifierOptions.EmbeddingDropout) => Options(1, 0, 0),
            nameof(SequenceClassifierOptions.InputDropout) => Options(0, 1, 0),
            _ => Options(0, 0, 1),
        };

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate());

        Assert.Equal(name, e.ParamName);
        Assert.Contains("got 1", e.Message);
    }
}

[Collection(GlobalTorchRandomCollection.Name)]
public class SequenceClassifierEmbeddingTests
{
    private static SequenceClassifierOptions Options() => new() { VocabularySize = 11, ClassCount = 2, EmbeddingSize = 7, HiddenSize = 5 };

    [Fact]
    public void InitializeEmbedding_SetsTheGivenRows_KeepsPaddingZero_AndScalesTheOthers()
    {
        manual_seed(7);
        using var model = SequenceClassifier.Create(Options());
        var rows = new Dictionary<int, float[]>
        {
            [3] = Enumerable.Range(0, 7).Select(i => 0.01f * i).ToArray(),
            [8] = Enumerable.Range(0, 7).Select(i => -0.02f * i).ToArray(),
        };

        int set = model.InitializeEmbedding(rows, freeze: false);

        var parameter = model.named_parameters().Single(p => p.name == "embedding.weight").parameter;
        var w = parameter.detach();
        Assert.Equal(2, set);
        Assert.Equal(rows[3], w[3].data<float>().ToArray());
        Assert.Equal(rows[8], w[8].data<float>().ToArray());
        Assert.All(w[0].data<float>().ToArray(), v => Assert.Equal(0f, v));
        // Other rows were redrawn on the scale of the given values (σ ≈ 0.036), far below N(0, 1)'s.
        float largest = w[4..].abs().max().item<float>();
        Assert.True(largest < 0.5f, $"largest other value {largest}");
        Assert.True(parameter.requires_grad);
    }

    [Fact]
    public void InitializeEmbedding_Frozen_StopsItsGradient()
    {
        using var model = SequenceClassifier.Create(Options());

        model.InitializeEmbedding(new Dictionary<int, float[]> { [2] = new float[7] }, freeze: true);

        var embedding = model.named_parameters().Single(p => p.name == "embedding.weight").parameter;
        Assert.False(embedding.requires_grad);
        Assert.True(model.named_parameters().Where(p => p.name != "embedding.weight").All(p => p.parameter.requires_grad));
    }

    [Theory]
    [InlineData(0, 7)]
    [InlineData(11, 7)]
    [InlineData(2, 6)]
    public void InitializeEmbedding_BadIdOrLength_ThrowsNamingTheId(int id, int length)
    {
        using var model = SequenceClassifier.Create(Options());

        var e = Assert.ThrowsAny<ArgumentException>(() => model.InitializeEmbedding(new Dictionary<int, float[]> { [id] = new float[length] }, freeze: false));

        Assert.Contains($"token id {id}", e.Message);
    }
}
