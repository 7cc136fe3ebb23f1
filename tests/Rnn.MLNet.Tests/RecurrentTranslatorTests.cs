using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.Translation;
using RnnMl.Text;
using RnnMl.Text.Metrics;

namespace RnnMl.MLNet.Tests;

public class RecurrentTranslatorTests : IClassFixture<TranslatorFixture>
{
    private readonly TranslatorFixture fixture;

    public RecurrentTranslatorTests(TranslatorFixture fixture) => this.fixture = fixture;

    private sealed class SourceRow
    {
        public string Source { get; set; } = "";
    }

    private sealed class TranslationRow
    {
        public string Source { get; set; } = "";
        public string Translation { get; set; } = "";
    }

    private sealed class WrongTypes
    {
        public float Source { get; set; }
        public string Target { get; set; } = "";
    }

    [Fact]
    public void Transform_AddsATranslationStringColumn_ThatTranslatesHeldOutPairs()
    {
        var output = fixture.Model.Transform(fixture.Test);
        Assert.Equal(TextDataViewType.Instance, output.Schema["Translation"].Type);
        Assert.Equal(TextDataViewType.Instance, output.Schema["Source"].Type);
        var translations = Columns.Read<ReadOnlyMemory<char>>(output, "Translation").Select(t => t.ToString()).ToArray();
        var references = fixture.TestRows.Select(r => r.Target).ToArray();
        int exact = translations.Zip(references).Count(p => p.First == p.Second);
        Assert.True(exact >= 30, $"only {exact} of {references.Length} exact; e.g. '{translations[0]}' for '{references[0]}'");
        Assert.True(Bleu.Corpus(translations, references) > 80);
    }

    [Fact]
    public void Evaluate_ScoresTheTranslationsAgainstTheReferences()
    {
        var sources = fixture.TestRows.Select(r => r.Source).ToList();
        var references = fixture.TestRows.Select(r => r.Target).ToList();
        var scores = fixture.Model.Evaluate(sources, references);
        Assert.Equal(fixture.Model.Translate(sources), scores.Translations);
        Assert.Equal(Bleu.Corpus(scores.Translations, references, lowercase: true), scores.Bleu);
        Assert.Equal(scores.Translations.Zip(references).Count(p => p.First == p.Second) / (double)sources.Count, scores.ExactMatch);
        Assert.True(scores.SentencesPerSecond > 0);
        var e = Assert.Throws<ArgumentException>(() => fixture.Model.Evaluate(sources, references.Take(7).ToList()));
        Assert.Equal("references", e.ParamName);
        Assert.Contains("40", e.Message);
        Assert.Contains("got 7", e.Message);
    }

    [Fact]
    public void PredictionEngine_GivesTheSameTranslationsAsTransform()
    {
        var engine = fixture.Ml.Model.CreatePredictionEngine<SourceRow, TranslationRow>(fixture.Model);
        var batch = Columns.Read<ReadOnlyMemory<char>>(fixture.Model.Transform(fixture.Test), "Translation").Select(t => t.ToString()).ToArray();
        for (int i = 0; i < 10; i++)
            Assert.Equal(batch[i], engine.Predict(new SourceRow { Source = fixture.TestRows[i].Source }).Translation);
    }

    [Fact]
    public void Estimator_GetOutputSchema_AddsTheTranslationColumn()
    {
        var estimator = fixture.Ml.Transforms.Text.TranslateText(ToyTranslations.Options());
        var shape = estimator.GetOutputSchema(RecurrentTextClassifierTrainerTests.ShapeOf<ToyTranslations.Pair>(fixture.Ml));
        var column = shape.Single(c => c.Name == "Translation");
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, column.Kind);
        Assert.Equal(TextDataViewType.Instance, column.ItemType);
    }

    [Fact]
    public void BadSchema_FailsNamingTheColumnAndBothTypes()
    {
        var wrong = fixture.Ml.Data.LoadFromEnumerable(new[] { new WrongTypes { Source = 7, Target = "x" } });
        var estimator = fixture.Ml.Transforms.Text.TranslateText(ToyTranslations.Options());
        var shapeError = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(RecurrentTextClassifierTrainerTests.ShapeOf<WrongTypes>(fixture.Ml)));
        Assert.Contains("source column 'Source': expected String, got Single", shapeError.Message);
        var fitError = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(wrong));
        Assert.Contains("expected String, got Single", fitError.Message);
        var transformError = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Model.Transform(wrong));
        Assert.Contains("expected String, got Single", transformError.Message);
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() =>
            fixture.Ml.Transforms.Text.TranslateText(sourceColumnName: "English").GetOutputSchema(RecurrentTextClassifierTrainerTests.ShapeOf<ToyTranslations.Pair>(fixture.Ml)));
        Assert.Contains("Could not find source column 'English'", missing.Message);
    }

    [Fact]
    public void Translate_EmptySource_GivesEmptyText()
    {
        Assert.Equal(new[] { "", "" }, fixture.Model.Translate(new[] { "", "   " }));
        var engine = fixture.Ml.Model.CreatePredictionEngine<SourceRow, TranslationRow>(fixture.Model);
        Assert.Equal("", engine.Predict(new SourceRow { Source = "" }).Translation);
    }

    [Fact]
    public void Translate_UnknownWords_MapToTheUnknownToken()
    {
        Assert.Equal(Vocabulary.UnknownId, fixture.Model.SourceVocabulary.IdOf("zebra"));
        var attention = fixture.Model.Attend("zebra cat runs");
        Assert.Equal(new[] { Vocabulary.UnknownToken, "cat", "runs" }, attention.SourceTokens);
        var translation = fixture.Model.Translate(new[] { "zebra cat runs" })[0];
        Assert.Contains("katze", translation);
    }

    [Fact]
    public void Translate_OverLongSource_IsCutToMaxSourceLength()
    {
        var options = ToyTranslations.Options();
        options.MaxSourceLength = 7;
        options.Epochs = 1;
        using var model = fixture.Ml.Transforms.Text.TranslateText(options).Fit(fixture.Train);
        var words = string.Join(' ', Enumerable.Repeat("red cat runs", 40));
        var first7 = string.Join(' ', words.Split(' ').Take(7));
        var translations = model.Translate(new[] { words, first7 });
        Assert.Equal(translations[1], translations[0]);
    }

    [Fact]
    public void Attend_GivesOneRowOfWeightsPerOutputTokenOverTheSource()
    {
        var a = fixture.Model.Attend("red cat runs");
        Assert.Equal(3, a.SourceTokens.Length);
        Assert.Equal(a.TargetTokens.Length, a.Weights.Length);
        Assert.All(a.Weights, row => Assert.Equal(1.0, row.Sum(x => (double)x), 4));
        // Reversal: the first output word is the translation of the last source word, and attention should show it.
        Assert.Equal("läuft", a.TargetTokens[0]);
        Assert.Equal(2, Array.IndexOf(a.Weights[0], a.Weights[0].Max()));
    }

    [Fact]
    public void Options_DecoderCellAndLayers_FollowTheEncodersUnlessSet()
    {
        var model = fixture.Model.Model.Options;
        Assert.Equal(RnnMl.Torch.Layers.RecurrentCellKind.Gru, model.EncoderCell);
        Assert.Equal(RnnMl.Torch.Layers.RecurrentCellKind.Gru, model.DecoderCell);
        Assert.Equal(1, model.DecoderLayers);
        var options = ToyTranslations.Options();
        options.Cell = RnnMl.Torch.Layers.RecurrentCellKind.Lstm;
        options.NumLayers = 2;
        options.DecoderCell = RnnMl.Torch.Layers.RecurrentCellKind.Rnn;
        options.Epochs = 1;
        using var fitted = fixture.Ml.Transforms.Text.TranslateText(options).Fit(fixture.Ml.Data.LoadFromEnumerable(fixture.TrainRows.Take(32)));
        Assert.Equal(RnnMl.Torch.Layers.RecurrentCellKind.Lstm, fitted.Model.Options.EncoderCell);
        Assert.Equal(RnnMl.Torch.Layers.RecurrentCellKind.Rnn, fitted.Model.Options.DecoderCell);
        Assert.Equal(2, fitted.Model.Options.EncoderLayers);
        Assert.Equal(2, fitted.Model.Options.DecoderLayers);
    }

    [Fact]
    public void Options_OutOfRange_AreRefusedByName()
    {
        var options = ToyTranslations.Options();
        options.BeamWidth = 0;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Ml.Transforms.Text.TranslateText(options));
        Assert.Equal("BeamWidth", e.ParamName);
        options = ToyTranslations.Options();
        options.MaxSourceLength = 0;
        e = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Ml.Transforms.Text.TranslateText(options));
        Assert.Equal("MaxSourceLength", e.ParamName);
        Assert.Contains("got 0", e.Message);
    }

    [Fact]
    public void SaveThenLoad_GivesIdenticalTranslations_AlsoInAFreshProcess()
    {
        var sources = fixture.TestRows.Take(15).Select(r => r.Source).Concat(new[] { "", "zebra quokka", "dog" }).ToArray();
        var expected = fixture.Model.Translate(sources);
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "translator.zip");
            fixture.Ml.Model.SaveRnnModel(fixture.Model, fixture.Train.Schema, path);
            var loaded = new MLContext(seed: 2).Model.LoadRnnModel(path, out var schema);
            Assert.Equal(TextDataViewType.Instance, schema["Source"].Type);
            var data = fixture.Ml.Data.LoadFromEnumerable(sources.Select(s => new SourceRow { Source = s }));
            var after = Columns.Read<ReadOnlyMemory<char>>(loaded.Transform(data), "Translation").Select(t => t.ToString()).ToArray();
            Assert.Equal(expected, after);
            (loaded as IDisposable)?.Dispose();

            var textsPath = Path.Combine(folder, "sources.txt");
            File.WriteAllLines(textsPath, sources, new UTF8Encoding(false));
            var printed = RnnModelOperationsTests.RunReloadCheck(path, textsPath, "--translate");
            Assert.Equal(expected.Select(t => $"[{t}]"), printed);
        });
    }

    [Fact]
    public void Fit_CharacterLevelKorean_BuildsAVocabularyOfHangulSyllables()
    {
        var pairs = new[]
        {
            new ToyTranslations.Pair { Source = "I am a student", Target = "나는 학생이다" },
            new ToyTranslations.Pair { Source = "I am not a student", Target = "나는 학생이 아니다" },
            new ToyTranslations.Pair { Source = "you are a teacher", Target = "너는 선생님이다" },
        };
        var options = ToyTranslations.Options();
        options.TargetTokenizer = TokenizerKind.Character;
        options.Normalization = TextNormalization.NFC;
        options.Epochs = 2;
        options.ValidationFraction = 0;
        using var model = fixture.Ml.Transforms.Text.TranslateText(options).Fit(fixture.Ml.Data.LoadFromEnumerable(pairs));
        Assert.True(model.TargetVocabulary.Contains("학"));
        Assert.True(model.TargetVocabulary.Contains(" "));
        var translation = model.Translate(new[] { "I am a student" })[0];
        Assert.All(translation, c => Assert.True(c == ' ' || c == '<' || c == '>' || char.IsLetter(c), $"unexpected character '{c}'"));
    }

    [Fact]
    public void Translate_SourceWithIllFormedUtf16_TranslatesLikeTheReplacementCharacter()
    {
        var source = fixture.TestRows[0].Source;
        Assert.Equal(fixture.Model.Translate(new[] { source + " \uFFFD" }), fixture.Model.Translate(new[] { source + " \uD800" }));
    }
}
