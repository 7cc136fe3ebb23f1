using RnnMl.MLNet;
using RnnMl.MLNet.Tests;

namespace RnnMl.Onnx.Tests;

/// <summary><c>ExportRnnModelToOnnx</c> on an ML.NET sequence tagger: the exported file tags as the transformer does, with and without the casing feature.</summary>
public sealed class TaggerOnnxOperationsTests(TaggerFixture fixture) : IClassFixture<TaggerFixture>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("rnnml-tagger-export-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private IReadOnlyList<string>[] Sentences() => fixture.TestRows.Take(30).Select(r => (IReadOnlyList<string>)r.Tokens)
        .Append(new[] { "zebra", "Maria", "READ", "the", "Book", "2" }).Append(Array.Empty<string>()).ToArray();

    [Fact]
    public void ExportRnnModelToOnnx_Tagger_GivesTheTransformersTags()
    {
        var sentences = Sentences();
        var path = Path.Combine(folder, "tagger.onnx");
        fixture.Ml.Model.ExportRnnModelToOnnx(fixture.Model, path);
        using var tagger = OnnxSequenceTagger.Load(path);
        Assert.False(tagger.Info.Casing);
        Assert.Equal(fixture.Model.TagNames, tagger.Info.TagNames);
        Assert.Equal(fixture.Model.Tag(sentences), tagger.Tag(sentences));
        var e = Assert.Throws<ArgumentException>(() => fixture.Ml.Model.ExportRnnModelToOnnx(fixture.Model, path, new[] { "a" }));
        Assert.Equal("classNames", e.ParamName);
    }

    [Fact]
    public void ExportRnnModelToOnnx_SavedTaggerWithCasing_GivesTheTransformersTags()
    {
        var options = ToyTagging.Options();
        (options.Epochs, options.CasingEmbeddingSize) = (2, 4);
        using var model = fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options).Fit(fixture.Keys.Transform(fixture.Train));
        var zip = Path.Combine(folder, "cased.zip");
        fixture.Ml.Model.SaveRnnModel(model, fixture.Train.Schema, zip);
        var path = Path.Combine(folder, "cased.onnx");
        fixture.Ml.Model.ExportRnnModelToOnnx(zip, path);
        using var tagger = OnnxSequenceTagger.Load(path);
        Assert.True(tagger.Info.Casing);
        var sentences = Sentences();
        Assert.Equal(model.Tag(sentences), tagger.Tag(sentences));
    }
}
