using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace RnnMl.MLNet.Tests;

/// <summary>
/// Models saved by an earlier RnnMl keep loading. The fixture was trained and saved by RnnMl 0.1.0 on Microsoft.ML
/// 5.0.1 (NormalizeText then a binary RecurrentTextClassifier on toy reviews); its scores for four texts were recorded
/// by the process that saved it.
/// </summary>
public class ModelCompatibilityTests
{
    private const string Fixture = "binary-saved-by-rnnml-0.1.0-mlnet-5.0.1";

    private sealed class Row
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    [Fact]
    public void ModelSavedByRnnMl010OnMLNet501_LoadsAndGivesTheRecordedScores()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        var expected = File.ReadAllLines(Path.Combine(folder, Fixture + ".scores.tsv"))
            .Select(l => l.Split('\t')).Select(p => (Text: p[0], Score: float.Parse(p[1], CultureInfo.InvariantCulture))).ToArray();
        Assert.Equal(4, expected.Length);
        var ml = new MLContext(seed: 1);

        var model = ml.Model.LoadRnnModel(Path.Combine(folder, Fixture + ".zip"), out var inputSchema);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(expected.Select(e => new Row { Text = e.Text })));
        var scores = scored.GetColumn<float>("Score").ToArray();

        Assert.Equal(TextDataViewType.Instance, inputSchema["Text"].Type);
        // Equal up to float rounding: 0.1.0 ran the reverse LSTM direction inside libtorch's bidirectional kernel, later
        // versions run it per slot on reversed input (same maths, other summation order; 1 ulp seen). The weights load exactly.
        Assert.Equal(expected.Length, scores.Length);
        for (int i = 0; i < scores.Length; i++)
            Assert.True(Math.Abs(scores[i] - expected[i].Score) <= 1e-6f * Math.Max(1f, Math.Abs(expected[i].Score)),
                $"row {i} ('{expected[i].Text}'): recorded {expected[i].Score:R}, got {scores[i]:R}");
    }

    [Fact]
    public void AssemblyVersion_IsMajorMinorOfThePackageVersion_SoPatchReleasesLoadEachOthersModels()
    {
        // ML.NET records Rnn.MLNet's full assembly name in every saved model; a patch release must not change it.
        var assembly = typeof(RnnModelOperations).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var package = Version.Parse(informational.Split('+', '-')[0]);

        Assert.Equal(new Version(package.Major, package.Minor, 0, 0), assembly.GetName().Version);
        Assert.Equal(assembly.GetName().Version, typeof(RnnMl.Torch.Layers.Lstm).Assembly.GetName().Version);
        Assert.Equal(assembly.GetName().Version, typeof(RnnMl.Text.Vocabulary).Assembly.GetName().Version);
    }
    /// <summary>ML.NET records Rnn.MLNet's full name in the placeholder but finds the placeholder's factory by its contract
    /// name in the loaded assembly: the recorded version, older or newer, does not stop a model from loading.</summary>
    [Theory]
    [InlineData("0.9.0.0")]
    [InlineData("1.0.0.0")]
    [InlineData("9.0.0.0")]
    public void ModelRecordingAnyAssemblyVersion_Loads(string recorded)
    {
        var path = WithRecordedVersion(recorded);
        try
        {
            var ml = new MLContext(seed: 1);
            var model = ml.Model.LoadRnnModel(path, out _);
            var scores = model.Transform(ml.Data.LoadFromEnumerable(new[] { new Row { Text = "the film was good" } })).GetColumn<float>("Score").ToArray();
            Assert.Equal(-0.34070584f, scores[0]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ModelOfANewerArchiveFormat_FailsWithAMessageThatSaysToUpdate()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rnnml-compat-{Guid.NewGuid():N}.zip");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", Fixture + ".zip"), path);
        try
        {
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            {
                var entry = zip.GetEntry("RnnMl/manifest.json")!;
                string json;
                using (var r = new StreamReader(entry.Open())) json = r.ReadToEnd();
                Assert.Contains("\"Version\": 2,", json);
                entry.Delete();
                using var w = new StreamWriter(zip.CreateEntry("RnnMl/manifest.json").Open());
                w.Write(json.Replace("\"Version\": 2,", "\"Version\": 3,"));
            }

            var e = Assert.Throws<InvalidDataException>(() => new MLContext(seed: 1).Model.LoadRnnModel(path, out _));

            Assert.Contains("version 3", e.Message);
            Assert.Contains("saved by a newer RnnMl.MLNet: update the package", e.Message);
        }
        finally { File.Delete(path); }
    }

    /// <summary>A copy of the fixture whose ML.NET part records Rnn.MLNet at <paramref name="version"/> (same length as 1.0.0.0).</summary>
    private static string WithRecordedVersion(string version)
    {
        var path = Path.Combine(Path.GetTempPath(), $"rnnml-compat-{Guid.NewGuid():N}.zip");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", Fixture + ".zip"), path);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.Entries.Single(e => e.FullName.StartsWith("TransformerChain/Transform_001/", StringComparison.Ordinal));
        byte[] bytes;
        using (var s = entry.Open()) { using var m = new MemoryStream(); s.CopyTo(m); bytes = m.ToArray(); }
        bool replaced = false;
        foreach (var encoding in new Encoding[] { Encoding.UTF8, Encoding.Unicode })
        {
            var from = encoding.GetBytes("Rnn.MLNet, Version=1.0.0.0");
            var to = encoding.GetBytes($"Rnn.MLNet, Version={version}");
            int at = bytes.AsSpan().IndexOf(from);
            if (at < 0) continue;
            to.CopyTo(bytes, at);
            replaced = true;
        }
        Assert.True(replaced, "the fixture's placeholder does not record Rnn.MLNet, Version=1.0.0.0");
        var name = entry.FullName;
        entry.Delete();
        using (var s = zip.CreateEntry(name).Open()) s.Write(bytes);
        return path;
    }
}
