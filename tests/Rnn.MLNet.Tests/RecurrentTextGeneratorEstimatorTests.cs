using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.Generation;
using RnnMl.Torch.Decoding;
using RnnMl.Torch.Training;

namespace RnnMl.MLNet.Tests;

/// <summary>The contract of the text generator estimator: schema, column types, options, and what training reports.</summary>
public class RecurrentTextGeneratorEstimatorTests : IClassFixture<GeneratorFixture>
{
    private readonly GeneratorFixture fixture;

    public RecurrentTextGeneratorEstimatorTests(GeneratorFixture fixture) => this.fixture = fixture;

    private sealed class SingleTextRow
    {
        public float Text { get; set; }
        public string Prompt { get; set; } = "";
    }

    private sealed class TokensPromptRow
    {
        public string Text { get; set; } = "";
        [VectorType] public string[] Prompt { get; set; } = Array.Empty<string>();
    }

    [Fact]
    public void GetOutputSchema_AddsAStringGeneratedTextColumnLikeTheFittedTransformer()
    {
        var ml = fixture.Ml;
        var shape = ml.Transforms.Text.GenerateText(GeneratorFixture.Options()).GetOutputSchema(RecurrentTextClassifierTrainerTests.ShapeOf<GeneratorRow>(ml));

        var column = shape.Single(c => c.Name == "GeneratedText");
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, column.Kind);
        Assert.Equal(TextDataViewType.Instance, column.ItemType);
        Assert.Equal(TextDataViewType.Instance, fixture.Model.GetOutputSchema(fixture.Train.Schema)["GeneratedText"].Type);
    }

    [Fact]
    public void FitAndGetOutputSchema_TextColumnOfTypeSingle_ThrowNamingStringAndSingle()
    {
        var ml = fixture.Ml;
        var data = ml.Data.LoadFromEnumerable(new[] { new SingleTextRow { Text = 7 } });
        var estimator = ml.Transforms.Text.GenerateText(GeneratorFixture.Options());

        var fit = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        var shape = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(RecurrentTextClassifierTrainerTests.ShapeOf<SingleTextRow>(ml)));

        foreach (var e in new[] { fit, shape })
        {
            Assert.Contains("'Text'", e.Message);
            Assert.Contains("expected String, got Single", e.Message);
        }
    }

    [Fact]
    public void GetOutputSchema_PromptColumnOfTokens_ThrowsNamingStringAndVector()
    {
        var ml = fixture.Ml;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.Text.GenerateText(GeneratorFixture.Options()).GetOutputSchema(RecurrentTextClassifierTrainerTests.ShapeOf<TokensPromptRow>(ml)));
        Assert.Contains("'Prompt'", e.Message);
        Assert.Contains("expected String, got Vector<String>", e.Message);
    }

    [Fact]
    public void Fit_MissingTextColumn_ThrowsNamingIt()
    {
        var options = GeneratorFixture.Options();
        options.TextColumnName = "Story";
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Ml.Transforms.Text.GenerateText(options).Fit(fixture.Train));
        Assert.Contains("'Story'", e.Message);
    }

    public static TheoryData<string, Action<RecurrentTextGeneratorOptions>, string> BadOptions() => new()
    {
        { "Streams", o => o.Streams = 0, "0" },
        { "BpttSteps", o => o.BpttSteps = -7, "-7" },
        { "HiddenSize", o => o.HiddenSize = 0, "0" },
        { "Epochs", o => o.Epochs = 0, "0" },
        { "ValidationFraction", o => o.ValidationFraction = 7, "7" },
        { "TieWeights", o => { o.TieWeights = true; o.EmbeddingSize = 7; }, "7" },
        { "Temperature", o => o.Sampling = new SamplingOptions { Temperature = -7 }, "-7" },
        { "TopP", o => o.Sampling = new SamplingOptions { TopP = 7 }, "7" },
        { "PromptColumnName", o => o.PromptColumnName = " ", " " },
        { "PredictionBatchSize", o => o.PredictionBatchSize = 0, "0" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void GenerateText_BadOption_ThrowsNamingTheOptionAndItsValue(string name, Action<RecurrentTextGeneratorOptions> set, string value)
    {
        var options = GeneratorFixture.Options();
        set(options);
        var e = Assert.ThrowsAny<ArgumentException>(() => fixture.Ml.Transforms.Text.GenerateText(options));
        Assert.Equal(name, e.ParamName);
        Assert.Contains(value, e.Message);
    }

    [Fact]
    public void Fit_TextTooShortForTheStreams_ThrowsNamingBothCounts()
    {
        var options = GeneratorFixture.Options();
        options.Streams = 70;
        options.ValidationFraction = 0;
        var data = fixture.Ml.Data.LoadFromEnumerable(new[] { new GeneratorRow { Text = "a short text" } });
        var e = Assert.Throws<InvalidOperationException>(() => fixture.Ml.Transforms.Text.GenerateText(options).Fit(data));
        Assert.Contains("13 tokens", e.Message);
        Assert.Contains("70 streams", e.Message);
    }

    [Fact]
    public void Fit_ReportsBitsPerTokenEveryEpochAndCallsTheEpochCallbackWithAGenerator()
    {
        var history = fixture.Model.TrainingResult!.History;
        Assert.Equal(3, history.Count);
        // Learning, not just a plausible range: an untrained model scores about log2(V) bits per token.
        double uniform = Math.Log2(fixture.Model.TextStream.Count);
        Assert.All(history, e => Assert.InRange(e.ValidationMetrics[LanguageModelTrainingTask.BitsMetric], 0.1, uniform));
        Assert.True(history[^1].ValidationMetrics[LanguageModelTrainingTask.BitsMetric] < 0.6 * uniform,
            $"validation bits per token {history[^1].ValidationMetrics[LanguageModelTrainingTask.BitsMetric]:F3}, log2(V) {uniform:F3}");
        // Bits are the loss in base 2.
        Assert.Equal(history[^1].ValidationLoss!.Value / Math.Log(2), history[^1].ValidationMetrics[LanguageModelTrainingTask.BitsMetric], 6);
        Assert.True(history[^1].TrainMetrics[LanguageModelTrainingTask.BitsMetric] < history[0].TrainMetrics[LanguageModelTrainingTask.BitsMetric]);

        var options = GeneratorFixture.Options(epochs: 2);
        var samples = new List<string>();
        options.EpochCompleted = (e, generator) => samples.Add(generator.Generate("the", new SamplingOptions { Seed = e.Epoch, MaxLength = 10 }));
        using var model = fixture.Ml.Transforms.Text.GenerateText(options).Fit(fixture.Train);
        Assert.Equal(2, samples.Count);
        Assert.All(samples, s => Assert.Equal(10, s.Length));
    }

    [Fact]
    public void Fit_SameSeed_GivesTheSameModel()
    {
        using var again = fixture.Ml.Transforms.Text.GenerateText(GeneratorFixture.Options()).Fit(fixture.Train);
        Assert.Equal(fixture.Model.Generate(GeneratorFixture.Prompts), again.Generate(GeneratorFixture.Prompts));
    }
}
