using System.Globalization;
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
    public void ModelSavedByRnnMl010OnMLNet501_LoadsAndGivesTheRecordedScoresBitForBit()
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
        Assert.Equal(expected.Select(e => BitConverter.SingleToInt32Bits(e.Score)), scores.Select(BitConverter.SingleToInt32Bits));
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
}
