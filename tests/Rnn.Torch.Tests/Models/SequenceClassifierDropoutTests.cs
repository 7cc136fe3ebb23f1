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
