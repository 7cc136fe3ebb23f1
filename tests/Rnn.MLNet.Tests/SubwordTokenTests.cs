using System.Text;
using Microsoft.ML;
using RnnMl.Text;
using RnnMl.MLNet.Translation;

namespace RnnMl.MLNet.Tests;

/// <summary>Subword tokens through the ML.NET tasks: learned at fit, exactly SubwordVocabularySize + reserved ids,
/// saved in the archive, identical after a reload in a fresh process.</summary>
public sealed class SubwordTokenTests
{
    [Fact]
    public void Classifier_Subword_LearnsAndReloadsIdenticallyInAFreshProcess()
    {
        var ml = new MLContext(seed: 1);
        var options = Tiny.Options(epochs: 12);
        options.Tokenizer = TokenizerKind.Subword;
        options.SubwordVocabularySize = 30;
        options.Seed = 1;
        var train = ml.Data.LoadFromEnumerable(ToyData.Binary(400, 1, ToyData.Split.Train));
        var testRows = ToyData.Binary(200, 2, ToyData.Split.Test);
        using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(train);

        var tokenizer = model.Core.Encoder.Tokenizer;
        Assert.Equal(TokenizerKind.Subword, tokenizer.Kind);
        Assert.Equal(32, model.Core.Encoder.VocabularySize);
        Assert.Contains(tokenizer.Tokenize("the music was awful"), p => !p.EndsWith(SubwordModel.EndOfWordMarker));   // some word is cut
        var scored = model.Transform(ml.Data.LoadFromEnumerable(testRows));
        var accuracy = Columns.Read<bool>(scored, "PredictedLabel").Zip(testRows).Count(p => p.First == p.Second.Label) / (double)testRows.Count;
        Assert.True(accuracy >= 0.9, $"held-out accuracy {accuracy:F3}");

        var texts = testRows.Take(20).Select(r => r.Text).Concat(["", "zebra quokka", "THE PLOTS WERE NOT GREATER"]).ToArray();
        var expected = Columns.Read<float>(model.Transform(ml.Data.LoadFromEnumerable(texts.Select(t => new ToyData.TextRow { Text = t }))), "Score")
            .Select(s => s.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "model.zip");
            var textsPath = Path.Combine(folder, "texts.txt");
            ml.Model.SaveRnnModel(model, train.Schema, path);
            File.WriteAllLines(textsPath, texts, new UTF8Encoding(false));
            Assert.Equal(expected, RnnModelOperationsTests.RunReloadCheck(path, textsPath));
        });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Translator_Subword_TranslatesExactlyAndReloadsIdenticallyInAFreshProcess(bool joint)
    {
        var ml = new MLContext(seed: 1);
        var options = ToyTranslations.Options();
        options.SourceTokenizer = options.TargetTokenizer = TokenizerKind.Subword;
        options.JointSubwordVocabulary = joint;
        options.SubwordVocabularySize = 30;
        options.Epochs = 25;
        var trainRows = ToyTranslations.Pairs(400, 1);
        var train = ml.Data.LoadFromEnumerable(trainRows);
        using var model = ml.Transforms.Text.TranslateText(options).Fit(train);

        var source = model.Core.Source.Tokenizer.Subwords!;
        var target = model.Core.TargetTokenizer.Subwords!;
        Assert.Equal(joint, ReferenceEquals(source, target));
        Assert.Equal(32, model.Core.Source.VocabularySize);
        Assert.Equal(34, model.Core.TargetVocabulary.Count);   // <s> and </s> too
        Assert.Contains(trainRows.SelectMany(p => model.Core.TargetTokenizer.Tokenize(p.Target)), p => !p.EndsWith(SubwordModel.EndOfWordMarker));

        var testRows = ToyTranslations.Pairs(30, 2);
        var translations = model.Translate(testRows.Select(r => r.Source));
        int exact = translations.Zip(testRows).Count(p => p.First == p.Second.Target);
        // Measured 22 of 30 either way (word tokens: about 3 in 4 on this task); an untrained model gets none.
        Assert.True(exact >= 18, $"{exact} of 30 held-out translations exact: {string.Join(" | ", translations.Take(5))}");

        var sources = testRows.Take(10).Select(r => r.Source).Concat(["", "zebra quokka", "dog"]).ToArray();
        var expected = model.Translate(sources);
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "translator.zip");
            var textsPath = Path.Combine(folder, "sources.txt");
            ml.Model.SaveRnnModel(model, train.Schema, path);
            File.WriteAllLines(textsPath, sources, new UTF8Encoding(false));
            Assert.Equal(expected.Select(t => $"[{t}]"), RnnModelOperationsTests.RunReloadCheck(path, textsPath, "--translate"));
        });
    }

    [Fact]
    public void Generator_Subword_GeneratesWordsAndReloadsIdentically()
    {
        var ml = new MLContext(seed: 1);
        var options = GeneratorFixture.Options(epochs: 3);
        options.Tokenizer = TokenizerKind.Subword;
        options.SubwordVocabularySize = 40;
        var rows = GeneratorFixture.Sentences(160).Select(t => new GeneratorRow { Text = t, Prompt = "the" }).ToList();
        var train = ml.Data.LoadFromEnumerable(rows);
        using var model = ml.Transforms.Text.GenerateText(options).Fit(train);
        Assert.Equal(43, model.TextStream.Count);   // padding, unknown, line break and 40 subword tokens
        var prompts = new string?[] { "the", "a dog", "" };
        var generated = model.Generate(prompts);
        Assert.DoesNotContain(generated, g => g.Contains(SubwordModel.EndOfWordMarker));
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "generator.zip");
            ml.Model.SaveRnnModel(model, train.Schema, path);
            var loaded = (RnnMl.MLNet.Generation.RecurrentTextGeneratorTransformer)new MLContext(seed: 2).Model.LoadRnnModel(path, out _);
            Assert.Equal(generated, loaded.Generate(prompts));
            Assert.Equal(TokenizerKind.Subword, loaded.TextStream.Tokenizer.Kind);
            loaded.Dispose();
        });
    }

    [Fact]
    public void Options_SubwordVocabularySizeBelowOne_IsRefusedNamingIt()
    {
        var ml = new MLContext(seed: 1);
        var options = Tiny.Options();
        options.Tokenizer = TokenizerKind.Subword;
        options.SubwordVocabularySize = 0;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.RecurrentTextClassifier(options));
        Assert.Equal("SubwordVocabularySize", e.ParamName);
    }
}
