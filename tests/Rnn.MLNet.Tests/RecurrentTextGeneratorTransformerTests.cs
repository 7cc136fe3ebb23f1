using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.Generation;
using RnnMl.Torch.Decoding;

namespace RnnMl.MLNet.Tests;

/// <summary>The text generator transformer: batched Transform equals PredictionEngine, schema errors, save and load.</summary>
public class RecurrentTextGeneratorTransformerTests : IClassFixture<GeneratorFixture>
{
    private readonly GeneratorFixture fixture;

    public RecurrentTextGeneratorTransformerTests(GeneratorFixture fixture) => this.fixture = fixture;

    private sealed class NoPromptRow
    {
        public string Text { get; set; } = "";
    }

    private sealed class SinglePromptRow
    {
        public float Prompt { get; set; }
    }

    private string[] Transformed(ITransformer model, IDataView data) => Columns.ReadStrings(model.Transform(data), "GeneratedText");

    [Fact]
    public void Transform_KeepsTheInputColumnsAndAddsTheGeneratedText()
    {
        var output = fixture.Model.Transform(fixture.PromptData);
        Assert.Equal(GeneratorFixture.Prompts, Columns.ReadStrings(output, "Prompt"));
        var texts = Columns.ReadStrings(output, "GeneratedText");
        Assert.Equal(GeneratorFixture.Prompts.Length, texts.Length);
        Assert.All(texts, t => Assert.InRange(t.Length, 1, 40));
    }

    [Fact]
    public void Transform_InPartialBatches_EqualsPredictionEngineAndTheGeneratorWithTheSavedSeed()
    {
        var batched = Transformed(fixture.Model, fixture.PromptData);
        // Not disposed: disposing a PredictionEngine disposes the transformer it was made from.
        var engine = fixture.Ml.Model.CreatePredictionEngine<GeneratorRow, GeneratedRow>(fixture.Model);
        var single = GeneratorFixture.Prompts.Select(p => engine.Predict(new GeneratorRow { Prompt = p }).GeneratedText).ToArray();
        var direct = GeneratorFixture.Prompts.Select(p => fixture.Model.Generator.Generate(p, fixture.Model.Sampling)).ToArray();

        Assert.Equal(single, batched);
        Assert.Equal(direct, batched);
        Assert.Equal(batched, Transformed(fixture.Model, fixture.PromptData));
    }

    [Fact]
    public void Generate_OtherSettings_UseTheSameWeights()
    {
        var greedy = fixture.Model.Generate(new[] { "the c" }, new SamplingOptions { Temperature = 0, MaxLength = 12 })[0];
        Assert.Equal(12, greedy.Length);
        Assert.Equal(greedy, fixture.Model.Generate(new[] { "the c" }, new SamplingOptions { TopK = 1, Seed = 99, MaxLength = 12 })[0]);
    }

    [Fact]
    public void Transform_PromptColumnMissingOrNotString_ThrowsNamingItAndTheTypes()
    {
        var ml = fixture.Ml;
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Model.Transform(ml.Data.LoadFromEnumerable(new[] { new NoPromptRow() })));
        Assert.Contains("'Prompt'", missing.Message);
        var single = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Model.GetOutputSchema(ml.Data.LoadFromEnumerable(new[] { new SinglePromptRow() }).Schema));
        Assert.Contains("expected String, got Single", single.Message);
    }

    [Fact]
    public void Evaluate_ValidationText_GivesBitsPerTokenAndPerplexity()
    {
        var score = fixture.Model.Evaluate(GeneratorFixture.Sentences(20));
        // An untrained network of the same shape scores about log2(V) bits; the trained one must be far below it.
        using var untrained = RnnMl.Torch.Models.LanguageModel.Create(fixture.Model.Model.Options);
        var baseline = RnnMl.Torch.Training.LanguageModelMetrics.Evaluate(untrained, fixture.Model.TextStream.EncodeStream(GeneratorFixture.Sentences(20)));
        Assert.True(score.BitsPerToken < 0.6 * baseline.BitsPerToken,
            $"trained {score.BitsPerToken:F3} bits per token, untrained {baseline.BitsPerToken:F3}, log2(V) {Math.Log2(fixture.Model.TextStream.Count):F3}");
        Assert.Equal(Math.Pow(2, score.BitsPerToken), score.Perplexity, 6);
    }

    [Fact]
    public void SaveAndLoad_InAChain_GiveIdenticalGenerations()
    {
        var ml = fixture.Ml;
        var chain = new TransformerChain<ITransformer>(fixture.Model);
        var before = Transformed(chain, fixture.PromptData);
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "generator.zip");
            ml.Model.SaveRnnModel(chain, fixture.PromptData.Schema, path);
            var loaded = ml.Model.LoadRnnModel(path, out var schema);

            Assert.Equal(before, Transformed(loaded, fixture.PromptData));
            var generator = Assert.IsType<RecurrentTextGeneratorTransformer>(((TransformerChain<ITransformer>)loaded).Single());
            Assert.Equal(fixture.Model.Sampling.Seed, generator.Sampling.Seed);
            Assert.Equal(fixture.Model.TextStream.Vocabulary.Tokens, generator.TextStream.Vocabulary.Tokens);
            Assert.NotNull(schema.GetColumnOrNull("Prompt"));
            generator.Dispose();
        });
    }

    [Fact]
    public void LoadRnnModel_InAFreshProcess_GeneratesIdenticalText()
    {
        var options = GeneratorFixture.Options(epochs: 1);
        // The reload check feeds its lines as a Text column, so this model reads its prompts from Text.
        options.PromptColumnName = "Text";
        using var model = fixture.Ml.Transforms.Text.GenerateText(options).Fit(fixture.Train);
        var prompts = GeneratorFixture.Prompts.Where(p => p.Length > 0).ToArray();
        var expected = Transformed(model, fixture.Ml.Data.LoadFromEnumerable(prompts.Select(p => new NoPromptRow { Text = p })))
            .Select(t => t.Replace("\\", "\\\\").Replace("\n", "\\n")).ToArray();

        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var modelPath = Path.Combine(folder, "generator.zip");
            var promptsPath = Path.Combine(folder, "prompts.txt");
            fixture.Ml.Model.SaveRnnModel(model, null, modelPath);
            File.WriteAllLines(promptsPath, prompts, new UTF8Encoding(false));

            Assert.Equal(expected, RnnModelOperationsTests.RunReloadCheck(modelPath, promptsPath));
        });
    }

    [Fact]
    public void Generate_PromptWithIllFormedUtf16_GeneratesLikeTheReplacementCharacter()
        => Assert.Equal(fixture.Model.Generate(new[] { "the \uFFFD c" }), fixture.Model.Generate(new[] { "the \uDBFF c" }));
}
