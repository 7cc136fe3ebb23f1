using Microsoft.ML;
using RnnMl.MLNet.Tagging;

namespace RnnMl.MLNet.Tests;

/// <summary>The tagger's word dropout options in ML.NET: they reach the model, are checked where they enter, change
/// training but not prediction, and an archive written before they existed loads.</summary>
public class TaggerWordDropoutTests : IClassFixture<TaggerFixture>
{
    private readonly TaggerFixture fixture;

    public TaggerWordDropoutTests(TaggerFixture fixture) => this.fixture = fixture;

    [Fact]
    public void WordDropoutOptions_ReachTheModel_AndChangeWhatIsLearned()
    {
        var options = ToyTagging.Options();
        (options.Epochs, options.FrequencyWordDropout, options.WordDropout) = (2, 0, 0);
        using var plain = fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options).Fit(fixture.Keys.Transform(fixture.Train));
        (options.FrequencyWordDropout, options.WordDropout) = (3, 0.2);
        using var dropping = fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options).Fit(fixture.Keys.Transform(fixture.Train));
        Assert.Equal(3, dropping.Model.Options.FrequencyWordDropout);
        Assert.Equal(0.2, dropping.Model.Options.WordDropout);
        Assert.Equal(0, plain.Model.Options.FrequencyWordDropout);
        var embedding = (RecurrentSequenceTaggerTransformer t) => t.Model.named_parameters().First(p => p.name == "embedding.weight").parameter.data<float>().ToArray();
        Assert.NotEqual(embedding(plain), embedding(dropping));
    }

    [Fact]
    public void BadWordDropoutOptions_NameTheOptionAndItsValue()
    {
        var options = ToyTagging.Options();
        options.FrequencyWordDropout = -7;
        var e = Assert.ThrowsAny<ArgumentException>(() => fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options));
        Assert.Equal("FrequencyWordDropout", e.ParamName);
        Assert.Contains("-7", e.Message);
        options = ToyTagging.Options();
        options.WordDropout = 1;
        e = Assert.ThrowsAny<ArgumentException>(() => fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options));
        Assert.Equal("WordDropout", e.ParamName);
        Assert.Contains("1", e.Message);
    }

    [Fact]
    public void AnArchiveWithoutTheWordDropoutFields_LoadsWithTheSameTags()
    {
        var sentences = fixture.TestRows.Take(20).Select(r => (IReadOnlyList<string>)r.Tokens).ToArray();
        var expected = fixture.Model.Tag(sentences);
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "old-tagger.zip");
            fixture.Ml.Model.SaveRnnModel(fixture.Model, fixture.Train.Schema, path);
            Assert.True(TaggerCasingTests.RemoveField(path, "RnnMl/000/meta.json", "WordDropout"), "meta.json should hold Model.WordDropout");
            Assert.True(TaggerCasingTests.RemoveField(path, "RnnMl/000/meta.json", "FrequencyWordDropout"), "meta.json should hold Model.FrequencyWordDropout");
            using var loaded = (RecurrentSequenceTaggerTransformer)new MLContext(seed: 2).Model.LoadRnnModel(path, out _);
            Assert.Equal(new RnnMl.Torch.Models.SequenceTaggerOptions().FrequencyWordDropout, loaded.Model.Options.FrequencyWordDropout);
            Assert.Equal(expected, loaded.Tag(sentences));
        });
    }
}
