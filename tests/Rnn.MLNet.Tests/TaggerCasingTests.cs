using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML;
using RnnMl.MLNet.Tagging;

namespace RnnMl.MLNet.Tests;

/// <summary>The tagger's casing feature in ML.NET: trained, saved in the archive and reloaded with it; an archive written
/// before the option existed (no <c>CasingEmbeddingSize</c> in meta.json) loads as a tagger without it.</summary>
public class TaggerCasingTests : IClassFixture<TaggerFixture>
{
    private readonly TaggerFixture fixture;

    public TaggerCasingTests(TaggerFixture fixture) => this.fixture = fixture;

    private static IReadOnlyList<string>[] Sentences(TaggerFixture f) =>
        f.TestRows.Take(12).Select(r => (IReadOnlyList<string>)r.Tokens)
            .Append(new[] { "Maria", "READ", "the", "Book", "2", "." }).Append(new[] { "maria", "read", "the", "book", "two", "," }).ToArray();

    [Fact]
    public void Casing_IsTrainedSavedAndReloaded_AndChangesTheTags()
    {
        var options = ToyTagging.Options();
        (options.Epochs, options.CasingEmbeddingSize, options.LowerCase) = (3, 5, true);
        using var model = fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options).Fit(fixture.Keys.Transform(fixture.Train));
        Assert.Equal(5, model.Model.Options.CasingEmbeddingSize);
        var sentences = Sentences(fixture);
        var expected = model.Tag(sentences);
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "casing-tagger.zip");
            fixture.Ml.Model.SaveRnnModel(model, fixture.Train.Schema, path);
            using var loaded = (RecurrentSequenceTaggerTransformer)new MLContext(seed: 2).Model.LoadRnnModel(path, out _);
            Assert.Equal(5, loaded.Model.Options.CasingEmbeddingSize);
            Assert.Equal(expected, loaded.Tag(sentences));
            // Not vacuous: the reloaded model reads the casing ids (a scaled casing table changes its scores).
            var data = fixture.Ml.Data.LoadFromEnumerable(sentences.Select(t => new ToyTagging.Row { Tokens = t.ToArray() }));
            var scores = Columns.ReadVectors(loaded.Transform(data), "Score").SelectMany(v => v).ToArray();
            using (TorchSharp.torch.no_grad())
                loaded.Model.named_parameters().First(p => p.name == "casing.weight").parameter.mul_(50);
            Assert.NotEqual(scores, Columns.ReadVectors(loaded.Transform(data), "Score").SelectMany(v => v).ToArray());
        });
    }

    [Fact]
    public void AnArchiveWithoutTheCasingField_LoadsAsATaggerWithoutCasing()
    {
        var sentences = Sentences(fixture);
        var expected = fixture.Model.Tag(sentences);
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "old-tagger.zip");
            fixture.Ml.Model.SaveRnnModel(fixture.Model, fixture.Train.Schema, path);
            Assert.True(RemoveField(path, "RnnMl/000/meta.json", "CasingEmbeddingSize"), "meta.json should hold Model.CasingEmbeddingSize");
            using var loaded = (RecurrentSequenceTaggerTransformer)new MLContext(seed: 2).Model.LoadRnnModel(path, out _);
            Assert.False(loaded.Model.Options.HasCasing);
            Assert.Equal(expected, loaded.Tag(sentences));
        });
    }

    [Fact]
    public void BadCasingEmbeddingSize_NamesTheOptionAndBothValues()
    {
        foreach (var bad in new[] { -3, 101 })
        {
            var options = ToyTagging.Options();
            options.CasingEmbeddingSize = bad;
            var e = Assert.ThrowsAny<ArgumentException>(() => fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options));
            Assert.Equal("CasingEmbeddingSize", e.ParamName);
            Assert.Contains(bad.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
            Assert.Contains("100", e.Message);
        }
    }

    /// <summary>Removes Model.<paramref name="field"/> from a meta.json entry and updates the manifest's checksum and length, as an older writer would have left it.</summary>
    internal static bool RemoveField(string path, string entryName, string field)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        JsonNode node;
        using (var reader = new StreamReader(zip.GetEntry(entryName)!.Open())) node = JsonNode.Parse(reader.ReadToEnd())!;
        if (!node["Model"]!.AsObject().Remove(field)) return false;
        var bytes = Encoding.UTF8.GetBytes(node.ToJsonString());
        Replace(zip, entryName, bytes);
        JsonNode manifest;
        using (var reader = new StreamReader(zip.GetEntry("RnnMl/manifest.json")!.Open())) manifest = JsonNode.Parse(reader.ReadToEnd())!;
        manifest["Sha256"]![entryName] = Convert.ToHexString(SHA256.HashData(bytes));
        if (manifest["Lengths"] is JsonNode lengths) lengths[entryName] = bytes.Length;
        Replace(zip, "RnnMl/manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        return true;
    }

    private static void Replace(ZipArchive zip, string name, byte[] bytes)
    {
        zip.GetEntry(name)!.Delete();
        using var s = zip.CreateEntry(name).Open();
        s.Write(bytes);
    }
}
