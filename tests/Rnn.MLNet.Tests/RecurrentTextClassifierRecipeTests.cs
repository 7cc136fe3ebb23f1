using System.Globalization;
using Microsoft.ML;
using RnnMl.MLNet.Classification;
using RnnMl.Text;

namespace RnnMl.MLNet.Tests;

/// <summary>The classifier's real-data options: pretrained word vectors, the minimum number of optimizer steps and the
/// dropouts scaled by the training-set size.</summary>
public sealed class RecurrentTextClassifierRecipeTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"rnnml-recipe-{Guid.NewGuid():N}");

    public RecurrentTextClassifierRecipeTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static readonly Dictionary<string, float[]> FileVectors = new()
    {
        ["Good"] = new[] { 0.5f, -0.25f, 0.125f, 1f, -1f, 0.75f, 0.5f, -0.5f },
        ["film"] = new[] { -0.5f, 0.25f, 0f, 0.5f, 1f, -0.75f, 0.25f, 0.5f },
        ["zebra"] = new[] { 9f, 9f, 9f, 9f, 9f, 9f, 9f, 9f },
    };

    private string WriteVectors(int dimension = 8)
    {
        var path = Path.Combine(folder, "vectors.txt");
        File.WriteAllLines(path, FileVectors.Select(kv => kv.Key + " " + string.Join(' ', kv.Value.Take(dimension).Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        return path;
    }

    private static float[] Row(RecurrentTextClassifierTransformer model, string token)
    {
        var weight = model.Model.named_parameters().Single(p => p.name == "embedding.weight").parameter;
        return weight[model.Vocabulary!.IdOf(token)].detach().data<float>().ToArray();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PretrainedVectors_InitialiseTheEmbedding_FrozenOrFineTuned(bool freeze)
    {
        var ml = new MLContext(seed: 1);
        var options = Tiny.Options(epochs: 3);
        options.PretrainedVectorsPath = WriteVectors();
        options.FreezePretrainedVectors = freeze;

        using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(ml.Data.LoadFromEnumerable(ToyData.Binary(64, 3)));

        // "Good" matches "good" through the lower-casing tokenizer.
        if (freeze)
        {
            Assert.Equal(FileVectors["Good"], Row(model, "good"));
            Assert.Equal(FileVectors["film"], Row(model, "film"));
        }
        else
        {
            Assert.NotEqual(FileVectors["Good"], Row(model, "good"));
            // Fine-tuning moves the rows a little from where the file put them.
            var moved = Row(model, "good").Zip(FileVectors["Good"], (a, b) => Math.Abs(a - b)).Max();
            Assert.InRange(moved, 1e-6, 0.5);
        }
    }

    [Fact]
    public void PretrainedVectors_OfAnotherDimension_NameFileLineAndSizes()
    {
        var ml = new MLContext(seed: 1);
        var options = Tiny.Options(epochs: 1);
        options.PretrainedVectorsPath = WriteVectors(dimension: 5);

        var e = Assert.Throws<InvalidDataException>(() => ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(ml.Data.LoadFromEnumerable(ToyData.Binary(64, 3))));

        Assert.Contains(options.PretrainedVectorsPath, e.Message);
        Assert.Contains("line 1", e.Message);
        Assert.Contains("5 values", e.Message);
        Assert.Contains("embedding size is 8", e.Message);
    }

    [Fact]
    public void MinimumSteps_DefaultOnlyWhileEpochsIsDefault()
    {
        var options = new RecurrentTextClassifierOptions();
        Assert.Equal(250, options.MinimumSteps);

        options.Epochs = 3;

        Assert.Null(options.MinimumSteps);
        options.MinimumSteps = 50;
        Assert.Equal(50, options.MinimumSteps);
    }

    [Theory]
    [InlineData(null, 2)]
    [InlineData(40, 10)]
    [InlineData(4, 2)]
    public void MinimumSteps_RaisesTheEpochsOnSmallData(int? minimumSteps, int expectedEpochs)
    {
        // 64 rows, 10% validation → 58 training rows in batches of 16: 4 steps per epoch.
        var ml = new MLContext(seed: 1);
        var options = Tiny.Options(epochs: 2);
        options.MinimumSteps = minimumSteps;

        using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(ml.Data.LoadFromEnumerable(ToyData.Binary(64, 3)));

        Assert.Equal(expectedEpochs, model.TrainingResult!.History.Count);
    }
    [Theory]
    [InlineData(10_000, 40_000, 0.5)]        // √(10,000 / 40,000)
    [InlineData(10_000, 1_000_000, 0.1)]     // √(10,000 / 1,000,000)
    [InlineData(10_000, 10_000, 1.0)]        // up to the reference: as given
    [InlineData(10_000, 1_800, 1.0)]         // a UCI split: as given
    [InlineData(16, 64, 0.5)]
    [InlineData(null, 1_000_000, 1.0)]       // off
    public void DropoutScale_IsTheSquareRootOfReferenceOverRows_CappedAtOne(int? reference, int rows, double expected)
    {
        var options = new RecurrentTextClassifierOptions { DropoutReferenceRows = reference };

        Assert.Equal(expected, options.DropoutScale(rows), 12);
    }

    [Fact]
    public void DropoutReferenceRows_DefaultsTo10000()
    {
        Assert.Equal(10_000, new RecurrentTextClassifierOptions().DropoutReferenceRows);
    }

    [Theory]
    [InlineData(16, 0.5)]     // 64 training rows (no hold-out), √(16 / 64) = 0.5
    [InlineData(null, 1.0)]   // as given
    [InlineData(64, 1.0)]     // the set is not larger than the reference
    public void DropoutReferenceRows_ScalesTheTrainedModelsEmbeddingAndLockedDropouts_NotTheHead(int? reference, double factor)
    {
        var ml = new MLContext(seed: 1);
        var options = Tiny.Options(epochs: 1);
        options.ValidationFraction = 0;
        (options.Dropout, options.EmbeddingDropout, options.InputDropout, options.OutputDropout) = (0.3, 0.2, 0.4, 0.1);
        options.DropoutReferenceRows = reference;

        using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(ml.Data.LoadFromEnumerable(ToyData.Binary(64, 3)));

        var shape = model.Model.Options;
        Assert.Equal(0.2 * factor, shape.EmbeddingDropout, 12);
        Assert.Equal(0.4 * factor, shape.InputDropout, 12);
        Assert.Equal(0.1 * factor, shape.OutputDropout, 12);
        Assert.Equal(0.3, shape.Dropout, 12);
    }

    [Fact]
    public void DropoutReferenceRows_BelowOne_IsRefusedNamingTheOption()
    {
        var options = new RecurrentTextClassifierOptions { DropoutReferenceRows = 0 };

        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(nameof(RecurrentTextClassifierOptions.DropoutReferenceRows), e.ParamName);
        Assert.Contains("got 0", e.Message);
    }

    [Fact]
    public void LabelSmoothing_ReachesTraining_ProbabilitiesSettleAtTheSmoothedTarget()
    {
        // Binary, ε = 0.8: the smoothed target puts 1 − 0.8 + 0.8 / 2 = 0.6 on the true class, so a model that fits the
        // toy rules predicts about 0.6 for the true class; the same fit without smoothing goes far past it.
        var rows = ToyData.Binary(200, 3);
        double TrueClassProbability(double epsilon)
        {
            var ml = new MLContext(seed: 1);
            var options = Tiny.Options(epochs: 30);
            (options.ValidationFraction, options.Seed, options.LabelSmoothing) = (0, 1, epsilon);
            (options.Dropout, options.EmbeddingDropout, options.InputDropout, options.OutputDropout) = (0, 0, 0, 0);
            var data = ml.Data.LoadFromEnumerable(rows);
            using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(data);
            var predictions = ml.Data.CreateEnumerable<BinaryPrediction>(model.Transform(data), reuseRowObject: false).ToList();
            return predictions.Zip(rows, (p, r) => r.Label ? p.Probability : 1 - p.Probability).Average();
        }

        double plain = TrueClassProbability(0), smoothed = TrueClassProbability(0.8);

        Assert.True(plain > 0.85, $"without smoothing the fit should be confident: {plain:F3}");
        Assert.InRange(smoothed, 0.55, 0.65);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void LabelSmoothing_OutsideZeroToOne_IsRefusedNamingTheOption(double epsilon)
    {
        var options = new RecurrentTextClassifierOptions { LabelSmoothing = epsilon };

        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(nameof(RecurrentTextClassifierOptions.LabelSmoothing), e.ParamName);
        Assert.Contains("got " + epsilon.ToString(CultureInfo.CurrentCulture), e.Message);
    }
}
