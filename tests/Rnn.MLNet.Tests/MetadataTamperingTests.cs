using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML;

namespace RnnMl.MLNet.Tests;

/// <summary>meta.json edited and its manifest checksum updated (anyone can): every bad value is an InvalidDataException
/// naming the entry and the field, raised before any tensor is allocated.</summary>
public class MetadataTamperingTests
{
    [Theory]
    [InlineData("Model.HiddenSize", "8000", "parameters")]                  // main: 2.2 GB and 10 s before "weights do not fit"
    [InlineData("Model.HiddenSize", "2000", "implies at least")]
    [InlineData("Model.HiddenSize", "100000", "parameters")]                // main: raw libtorch ExternalException (160 GB)
    [InlineData("Model", "null", "has no Model")]                           // main: NullReferenceException
    [InlineData("OutputColumnNames", "[]", "OutputColumnNames")]            // main: IndexOutOfRangeException
    [InlineData("Tokenizer", "7", "Tokenizer = 7")]                         // main: ArgumentOutOfRangeException
    [InlineData("MaxSequenceLength", "-5", "MaxSequenceLength = -5")]       // main: loaded, failed later
    [InlineData("TextColumnName", "null", "TextColumnName")]                // main: loaded, failed later
    [InlineData("PredictionBatchSize", "0", "PredictionBatchSize = 0")]     // main: loaded, failed later
    [InlineData("Model.ClassCount", "3", "binary classifier with 3 classes")]
    [InlineData("Model.EmbeddingSize", "-1", "EmbeddingSize")]
    public void LoadRnnModel_ClassifierMetaEditedWithChecksumUpdated_ThrowsNamingTheEntryAndField(string field, string json, string expected)
    {
        DisposalTests.WithTempFolder(folder =>
        {
            var ml = new MLContext(seed: 1);
            var path = Path.Combine(folder, "model.zip");
            using (var model = DisposalTests.Classifier()) ml.Model.SaveRnnModel(model, null, path);
            Tamper(path, "RnnMl/000/meta.json", field, json);

            var clock = Stopwatch.StartNew();
            var e = Assert.Throws<InvalidDataException>(() => ml.Model.LoadRnnModel(path, out _));
            Assert.Contains("'RnnMl/000/meta.json'", e.Message);
            Assert.Contains(expected, e.Message);
            Assert.True(clock.Elapsed.TotalSeconds < 5, $"rejecting took {clock.Elapsed.TotalSeconds:F1} s");
        });
    }

    [Theory]
    [InlineData("Model.HiddenSize", "8000", "parameters")]
    [InlineData("Model.HiddenSize", "1000", "implies at least")]
    [InlineData("Sampling", "null", "has no Sampling")]
    [InlineData("Tokenizer", "9", "Tokenizer = 9")]
    public void LoadRnnModel_GeneratorMetaEdited_ThrowsNamingTheEntryAndField(string field, string json, string expected)
    {
        DisposalTests.WithTempFolder(folder =>
        {
            var ml = new MLContext(seed: 1);
            var path = Path.Combine(folder, "model.zip");
            using (var model = DisposalTests.Generator()) ml.Model.SaveRnnModel(model, null, path);
            Tamper(path, "RnnMl/000/meta.json", field, json);
            var e = Assert.Throws<InvalidDataException>(() => ml.Model.LoadRnnModel(path, out _));
            Assert.Contains("'RnnMl/000/meta.json'", e.Message);
            Assert.Contains(expected, e.Message);
        });
    }

    [Theory]
    [InlineData("Model.HiddenSize", "4000", "parameters")]
    [InlineData("Model.HiddenSize", "500", "implies at least")]
    [InlineData("Decoding", "null", "has no Decoding")]
    [InlineData("MaxSourceLength", "0", "MaxSourceLength = 0")]
    public void LoadRnnModel_TranslatorMetaEdited_ThrowsNamingTheEntryAndField(string field, string json, string expected)
    {
        DisposalTests.WithTempFolder(folder =>
        {
            var ml = new MLContext(seed: 1);
            var path = Path.Combine(folder, "model.zip");
            using (var model = DisposalTests.Translator()) ml.Model.SaveRnnModel(model, null, path);
            Tamper(path, "RnnMl/000/meta.json", field, json);
            var e = Assert.Throws<InvalidDataException>(() => ml.Model.LoadRnnModel(path, out _));
            Assert.Contains("'RnnMl/000/meta.json'", e.Message);
            Assert.Contains(expected, e.Message);
        });
    }

    /// <summary>Sets a (dotted) field of a JSON entry (or removes it when <paramref name="json"/> is null, as an older writer
    /// would have left it) and updates the manifest's checksum and length, as an attacker can.</summary>
    internal static void Tamper(string path, string entryName, string field, string? json)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var node = JsonNode.Parse(Read(zip, entryName))!;
        var parts = field.Split('.');
        var parent = node;
        foreach (var part in parts[..^1]) parent = parent[part]!;
        if (json is null) Assert.True(parent.AsObject().Remove(parts[^1]), $"{entryName} should hold {field}");
        else parent[parts[^1]] = JsonNode.Parse(json);
        var bytes = Encoding.UTF8.GetBytes(node.ToJsonString());
        Write(zip, entryName, bytes);
        var manifest = JsonNode.Parse(Read(zip, "RnnMl/manifest.json"))!;
        manifest["Sha256"]![entryName] = Convert.ToHexString(SHA256.HashData(bytes));
        if (manifest["Lengths"] is JsonNode lengths) lengths[entryName] = bytes.Length;
        Write(zip, "RnnMl/manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString()));
    }

    private static string Read(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes)
    {
        zip.GetEntry(name)!.Delete();
        using var s = zip.CreateEntry(name).Open();
        s.Write(bytes);
    }
}
