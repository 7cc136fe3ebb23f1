using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

/// <summary><see cref="LanguageModel"/>: shapes, weight tying, option errors.</summary>
public class LanguageModelTests
{
    [Fact]
    public void Forward_TokensOfNByT_GivesLogitsOfNByTByVAndStateOfLByNByH()
    {
        using var scope = NewDisposeScope();
        var stream = LanguageModelFixtures.Characters();
        using var model = LanguageModelFixtures.Model(stream, layers: 2, hidden: 12);
        var (logits, state) = model.forward(randint(3, stream.Count, new long[] { 3, 7 }));
        Assert.Equal(new long[] { 3, 7, stream.Count }, logits.shape);
        Assert.Equal(new long[] { 2, 3, 12 }, state.H.shape);
        Assert.Equal(new long[] { 2, 3, 12 }, state.C!.shape);
    }

    [Fact]
    public void TieWeights_OutputIsTheEmbeddingMatrixTransposedPlusItsOwnBias()
    {
        using var scope = NewDisposeScope();
        var stream = LanguageModelFixtures.Characters();
        using var model = LanguageModelFixtures.Model(stream, layers: 1, hidden: 8, tie: true);
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.DoesNotContain("output.weight", names);
        Assert.Contains("output_bias", names);
        Assert.Equal(names.Count, names.Distinct().Count());

        var tokens = tensor(new long[] { 2, 5, 6 }).unsqueeze(0);
        var (logits, _) = model.forward(tokens);
        var (hidden, _) = model.Recurrent.forward(model.Embed(tokens));
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var expected = hidden.matmul(parameters["embedding.weight"].t()) + parameters["output_bias"];
        RnnAssert.Close(expected, logits, 1e-12, "tied logits");
    }

    [Fact]
    public void Create_BadOptions_NameTheOptionAndItsValues()
    {
        RnnAssert.Throws("TieWeights", () => LanguageModel.Create(new LanguageModelOptions { VocabularySize = 9, EmbeddingSize = 7, HiddenSize = 8, TieWeights = true }), "7", "8");
        RnnAssert.Throws("VocabularySize", () => LanguageModel.Create(new LanguageModelOptions { VocabularySize = 1 }), "1");
        RnnAssert.Throws("HiddenSize", () => LanguageModel.Create(new LanguageModelOptions { VocabularySize = 9, HiddenSize = 0 }), "0");
        RnnAssert.Throws("Dropout", () => LanguageModel.Create(new LanguageModelOptions { VocabularySize = 9, Dropout = 7 }), "7");
    }
}
