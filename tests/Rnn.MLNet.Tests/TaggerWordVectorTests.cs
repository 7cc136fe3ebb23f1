using System.Globalization;
using Microsoft.ML;
using RnnMl.MLNet.Tagging;
using RnnMl.Text;
using RnnMl.Torch.Models;

namespace RnnMl.MLNet.Tests;

/// <summary>The tagger's pretrained word vectors through the ML.NET trainer: matched rows (with the tagger's case rule)
/// start from the file and stay there when frozen, unmatched rows stay random, bad files and options fail clearly, the
/// option changes the model deterministically, and a model trained with vectors reloads with identical output.</summary>
public sealed class TaggerWordVectorTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"rnnml-tagvec-{Guid.NewGuid():N}");
    private readonly MLContext ml = new(seed: 1);
    private readonly IDataView train;
    private readonly List<ToyTagging.Row> testRows = ToyTagging.Sentences(20, seed: 2);

    public TaggerWordVectorTests()
    {
        Directory.CreateDirectory(folder);
        var rows = ml.Data.LoadFromEnumerable(ToyTagging.Sentences(120, seed: 1));
        train = ml.Transforms.Conversion.MapValueToKey("Label", "Tags").Fit(rows).Transform(rows);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // "The" is in the file with a capital; the training text has only "the". "zebra" is not in the training text.
    private static readonly Dictionary<string, float[]> FileVectors = new()
    {
        ["The"] = new[] { 0.5f, -0.25f, 0.125f, 1f, -1f, 0.75f, 0.5f, -0.5f },
        ["book"] = new[] { -0.5f, 0.25f, 0f, 0.5f, 1f, -0.75f, 0.25f, 0.5f },
        ["maria"] = new[] { 0.25f, 0.25f, -0.5f, -1f, 0.5f, 0f, -0.25f, 1f },
        ["zebra"] = new[] { 9f, 9f, 9f, 9f, 9f, 9f, 9f, 9f },
    };

    private string WriteVectors(int dimension = 8)
    {
        var path = Path.Combine(folder, "vectors.txt");
        File.WriteAllLines(path, FileVectors.Select(kv => kv.Key + " " + string.Join(' ', kv.Value.Take(dimension).Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        return path;
    }

    private static RecurrentSequenceTaggerOptions Options(string? vectors, bool freeze = false)
    {
        var options = ToyTagging.Options();
        (options.Epochs, options.CharacterEncoder, options.PretrainedVectorsPath, options.FreezePretrainedVectors) = (3, CharacterEncoderKind.None, vectors, freeze);
        return options;
    }

    private RecurrentSequenceTaggerTransformer Fit(RecurrentSequenceTaggerOptions options) =>
        ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options).Fit(train);

    private static float[] Row(RecurrentSequenceTaggerTransformer model, string word)
    {
        var weight = model.Model.named_parameters().Single(p => p.name == "embedding.weight").parameter;
        return weight[model.Info.Vocabulary.IdOf(word)].detach().data<float>().ToArray();
    }

    private float[] Scores(RecurrentSequenceTaggerTransformer model) =>
        Columns.ReadVectors(model.Transform(ml.Data.LoadFromEnumerable(testRows)), "Score").SelectMany(v => v).ToArray();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MatchedRows_StartFromTheFile_StayWhenFrozen_MoveWhenFineTuned(bool freeze)
    {
        using var model = Fit(Options(WriteVectors(), freeze));

        // "The" matches "the" through the lower-cased word lookup (LowerCase is the tagger's default).
        foreach (var (word, fileWord) in new[] { ("the", "The"), ("book", "book"), ("maria", "maria") })
        {
            if (freeze)
                Assert.Equal(FileVectors[fileWord], Row(model, word));
            else
            {
                var moved = Row(model, word).Zip(FileVectors[fileWord], (a, b) => Math.Abs(a - b)).Max();
                Assert.InRange(moved, 1e-6, 1.0);
            }
        }
        // A word without a vector keeps a random row: neither zero nor any file vector.
        var quickly = Row(model, "quickly");
        Assert.Contains(quickly, v => v != 0);
        Assert.All(FileVectors.Values, v => Assert.NotEqual(v, quickly));
    }

    [Fact]
    public void WithLowerCaseOff_ACapitalisedFileWordDoesNotMatchTheLowerCaseWord()
    {
        var options = Options(WriteVectors(), freeze: true);
        options.LowerCase = false;

        using var model = Fit(options);

        Assert.NotEqual(FileVectors["The"], Row(model, "the"));
        Assert.Equal(FileVectors["book"], Row(model, "book"));
    }

    [Fact]
    public void Vectors_ChangeTheModel_AndTheSameSeedGivesTheSameModel()
    {
        var path = WriteVectors();
        using var first = Fit(Options(path));
        using var second = Fit(Options(path));
        using var without = Fit(Options(null));

        Assert.Equal(Scores(first), Scores(second));
        Assert.NotEqual(Scores(without), Scores(first));
    }

    [Fact]
    public void AModelTrainedWithVectors_ReloadsWithIdenticalOutput_AndNeedsNoVectorFile()
    {
        var path = WriteVectors();
        using var model = Fit(Options(path, freeze: true));
        var sentences = testRows.Select(r => (IReadOnlyList<string>)r.Tokens).ToList();
        var (tags, scores) = (model.Tag(sentences), Scores(model));
        RnnModelOperationsTests.WithTempFolder(modelFolder =>
        {
            var zip = Path.Combine(modelFolder, "vector-tagger.zip");
            ml.Model.SaveRnnModel(model, train.Schema, zip);
            File.Delete(path);
            using var loaded = (RecurrentSequenceTaggerTransformer)new MLContext(seed: 2).Model.LoadRnnModel(zip, out _);
            Assert.Equal(FileVectors["book"], Row(loaded, "book"));
            Assert.Equal(tags, loaded.Tag(sentences));
            Assert.Equal(scores, Scores(loaded));
        });
    }

    [Fact]
    public void VectorsOfAnotherDimension_NameTheFileLineAndBothSizes()
    {
        var options = Options(WriteVectors(dimension: 5));

        var e = Assert.Throws<InvalidDataException>(() => Fit(options));

        Assert.Contains(options.PretrainedVectorsPath!, e.Message);
        Assert.Contains("line 1", e.Message);
        Assert.Contains("5 values", e.Message);
        Assert.Contains("embedding size is 8", e.Message);
    }

    [Fact]
    public void AMissingOrMalformedFile_NamesTheFile()
    {
        var missing = Path.Combine(folder, "none.txt");
        var e1 = Assert.Throws<FileNotFoundException>(() => Fit(Options(missing)));
        Assert.Contains(missing, e1.Message);

        var bad = Path.Combine(folder, "bad.txt");
        File.WriteAllLines(bad, new[] { "book 1 2 3 4 5 6 7 8", "the 1 2 3 x 5 6 7 8" });
        var e2 = Assert.Throws<InvalidDataException>(() => Fit(Options(bad)));
        Assert.Contains(bad, e2.Message);
        Assert.Contains("line 2", e2.Message);
    }

    [Fact]
    public void BadVectorOptions_NameTheOptionAndValue()
    {
        var blank = Options("  ");
        var e1 = Assert.ThrowsAny<ArgumentException>(() => ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(blank));
        Assert.Equal(nameof(RecurrentSequenceTaggerOptions.PretrainedVectorsPath), e1.ParamName);

        var format = Options(null);
        format.PretrainedVectorsFormat = (WordVectorFormat)7;
        var e2 = Assert.ThrowsAny<ArgumentException>(() => ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(format));
        Assert.Equal(nameof(RecurrentSequenceTaggerOptions.PretrainedVectorsFormat), e2.ParamName);
        Assert.Contains("7", e2.Message);
    }
}
