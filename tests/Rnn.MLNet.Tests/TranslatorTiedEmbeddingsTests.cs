using Microsoft.ML;
using RnnMl.MLNet.Translation;

namespace RnnMl.MLNet.Tests;

/// <summary>The translator's tied output embeddings through ML.NET: fewer parameters, saved and reloaded with the same
/// translations; an archive written before the option existed (no <c>TieEmbeddings</c> in meta.json) loads untied.</summary>
public class TranslatorTiedEmbeddingsTests : IClassFixture<TranslatorFixture>
{
    private const string Meta = "RnnMl/000/meta.json";
    private readonly TranslatorFixture fixture;

    public TranslatorTiedEmbeddingsTests(TranslatorFixture fixture) => this.fixture = fixture;

    private string[] Sources() => fixture.TestRows.Take(15).Select(r => r.Source).Concat(new[] { "", "dog" }).ToArray();

    private static long Count(TorchSharp.torch.nn.Module model) => model.parameters().Sum(p => p.numel());

    [Fact]
    public void Tied_HasFewerParameters_AndSaveThenLoadGivesIdenticalTranslations()
    {
        var options = ToyTranslations.Options();
        options.TieEmbeddings = true;
        using var model = fixture.Ml.Transforms.Text.TranslateText(options).Fit(fixture.Train);
        Assert.True(model.Model.Options.TieEmbeddings);
        // Q = 2·16 = 32 ≠ embedding 16: the V × 32 output matrix goes, a 32 → 16 projection comes.
        long v = model.TargetVocabulary.Count;
        Assert.Equal(v, fixture.Model.TargetVocabulary.Count);
        Assert.Equal(Count(fixture.Model.Model) - v * 32 + 32 * 16, Count(model.Model));
        var sources = Sources();
        var expected = model.Translate(sources);
        Assert.True(expected.Zip(fixture.TestRows.Take(15)).Count(p => p.First == p.Second.Target) >= 5,
            $"a tied model should learn the toy mapping; got: {string.Join(" | ", expected)}");
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "tied.zip");
            fixture.Ml.Model.SaveRnnModel(model, fixture.Train.Schema, path);
            using var loaded = (RecurrentTranslatorTransformer)new MLContext(seed: 2).Model.LoadRnnModel(path, out _);
            Assert.True(loaded.Model.Options.TieEmbeddings);
            Assert.Null(loaded.Model.Output);
            Assert.Equal(Count(model.Model), Count(loaded.Model));
            Assert.Equal(expected, loaded.Translate(sources));
        });
    }

    [Fact]
    public void AnArchiveWithoutTheTieField_LoadsUntied()
    {
        var sources = Sources();
        var expected = fixture.Model.Translate(sources);
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "old.zip");
            fixture.Ml.Model.SaveRnnModel(fixture.Model, fixture.Train.Schema, path);
            MetadataTamperingTests.Tamper(path, Meta, "Model.TieEmbeddings", null);
            using var loaded = (RecurrentTranslatorTransformer)new MLContext(seed: 2).Model.LoadRnnModel(path, out _);
            Assert.False(loaded.Model.Options.TieEmbeddings);
            Assert.NotNull(loaded.Model.Output);
            Assert.Equal(expected, loaded.Translate(sources));
        });
    }

    [Fact]
    public void AnUntiedArchiveClaimingTiedWeights_IsRefusedNamingTheWeights()
    {
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "claims-tied.zip");
            fixture.Ml.Model.SaveRnnModel(fixture.Model, fixture.Train.Schema, path);
            MetadataTamperingTests.Tamper(path, Meta, "Model.TieEmbeddings", "true");
            var e = Assert.Throws<InvalidDataException>(() => new MLContext(seed: 2).Model.LoadRnnModel(path, out _));
            Assert.Contains("weights.bin", e.Message);
        });
    }
}
