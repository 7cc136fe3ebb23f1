using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.Tagging;
using RnnMl.Torch.Models;

namespace RnnMl.MLNet.Tests;

/// <summary>The contract of the ML.NET sequence tagger: it learns context-dependent tags, its columns and key values,
/// PredictionEngine, save/load in a fresh process, bad schemas and bad rows, disposal.</summary>
public class RecurrentSequenceTaggerTests : IClassFixture<TaggerFixture>
{
    private readonly TaggerFixture fixture;

    public RecurrentSequenceTaggerTests(TaggerFixture fixture) => this.fixture = fixture;

    private sealed class TagsOut
    {
        [VectorType] public string[] PredictedTags { get; set; } = Array.Empty<string>();
    }

    private string[][] PredictedTags(ITransformer model, IDataView data)
    {
        var named = fixture.Ml.Transforms.Conversion.MapKeyToValue("PredictedTags", "PredictedLabel").Fit(model.Transform(data)).Transform(model.Transform(data));
        return fixture.Ml.Data.CreateEnumerable<TagsOut>(named, reuseRowObject: false).Select(r => r.PredictedTags).ToArray();
    }

    /// <summary>The predicted keys of every row, copied out (a getter may reuse the buffer it fills).</summary>
    private static uint[][] Keys(IDataView data)
    {
        var column = data.Schema["PredictedLabel"];
        var rows = new List<uint[]>();
        using var cursor = data.GetRowCursor(new[] { column });
        var get = cursor.GetGetter<VBuffer<uint>>(column);
        VBuffer<uint> value = default;
        while (cursor.MoveNext())
        {
            get(ref value);
            rows.Add(value.DenseValues().ToArray());
        }
        return rows.ToArray();
    }

    [Fact]
    public void Fit_LearnsContextDependentTags_BeatingTheMostFrequentTagOnHeldOutSentences()
    {
        var mft = fixture.TrainRows.SelectMany(r => r.Tokens.Zip(r.Tags)).GroupBy(p => p.First)
            .ToDictionary(g => g.Key, g => g.GroupBy(p => p.Second).OrderByDescending(h => h.Count()).First().Key);
        var gold = fixture.TestRows.SelectMany(r => r.Tags).ToArray();
        double baseline = fixture.TestRows.SelectMany(r => r.Tokens.Zip(r.Tags)).Average(p => mft[p.First] == p.Second ? 1.0 : 0);

        var predicted = PredictedTags(fixture.Model, fixture.Test).SelectMany(t => t).ToArray();
        Assert.Equal(gold.Length, predicted.Length);
        double accuracy = gold.Zip(predicted).Average(p => p.First == p.Second ? 1.0 : 0);
        Assert.True(baseline < 0.85, $"the baseline {baseline:P1} is too strong for the task to prove anything");
        Assert.True(accuracy >= 0.97 && accuracy >= baseline + 0.1, $"accuracy {accuracy:P2}, most-frequent-tag baseline {baseline:P2}");
        Assert.True(fixture.Model.Model.Options.HasCharacterEncoder);
        Assert.NotNull(fixture.Model.Model.Crf);
    }

    [Fact]
    public void Evaluate_OnPartOfSpeechTags_CountsTokensOnly_AndRefusesASchemeTheTagsDoNotFit()
    {
        var keyed = fixture.Keys.Transform(fixture.Test);
        var result = fixture.Model.Evaluate(keyed);
        var predicted = PredictedTags(fixture.Model, fixture.Test);
        var gold = fixture.TestRows.Select(r => r.Tags).ToList();
        Assert.Equal(gold.Sum(g => g.Length), result.Tokens);
        Assert.Equal(gold.Zip(predicted).Sum(p => p.First.Zip(p.Second).Count(t => t.First == t.Second)), result.CorrectTokens);
        Assert.Equal(new RnnMl.Text.Metrics.SpanScores(0, 0, 0), result.Micro);
        Assert.Empty(result.PerType);
        var bad = Assert.Throws<ArgumentException>(() => fixture.Model.Evaluate(keyed, scheme: RnnMl.Text.Tagging.TagScheme.Bio));
        Assert.Contains("is not O or one of B-TYPE, I-TYPE", bad.Message);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Model.Evaluate(fixture.Test));
        Assert.Contains("Could not find label column 'Label'", e.Message);
    }

    [Fact]
    public void Evaluate_OnBioTags_CountsSpansAsConllevalDoes()
    {
        // Only the names keep their tags: a BIO entity task.
        static ToyTagging.Row Entities(ToyTagging.Row r) => new() { Tokens = r.Tokens, Tags = r.Tags.Select(t => t.EndsWith("-PER", StringComparison.Ordinal) ? t : "O").ToArray() };
        var train = fixture.Ml.Data.LoadFromEnumerable(fixture.TrainRows.Select(Entities));
        var testRows = fixture.TestRows.Select(Entities).ToList();
        var test = fixture.Ml.Data.LoadFromEnumerable(testRows);
        var keys = fixture.Ml.Transforms.Conversion.MapValueToKey("Label", "Tags").Fit(train);
        var options = ToyTagging.Options();
        options.Epochs = 3;
        using var model = fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options).Fit(keys.Transform(train));

        var result = model.Evaluate(keys.Transform(test));
        var predicted = PredictedTags(model, test).Select(p => (IReadOnlyList<string>)p).ToList();
        var expected = RnnMl.Text.Metrics.ConllSpanEvaluator.Evaluate(testRows.Select(r => (IReadOnlyList<string>)r.Tags).ToList(), predicted, RnnMl.Text.Tagging.TagScheme.Bio);
        Assert.Equal(expected.Micro, result.Micro);
        Assert.Equal(expected.CorrectTokens, result.CorrectTokens);
        Assert.True(result.Micro.Gold > 20, $"only {result.Micro.Gold} gold spans");
        Assert.Equal(new[] { "PER" }, result.PerType.Keys);
    }

    [Fact]
    public void Columns_AreAVectorOfKeysWithTheTagNames_AndOneScorePerToken()
    {
        var output = fixture.Model.Transform(fixture.Keys.Transform(fixture.Test));
        var label = output.Schema["PredictedLabel"];
        var type = Assert.IsType<VectorDataViewType>(label.Type);
        var key = Assert.IsType<KeyDataViewType>(type.ItemType);
        Assert.Equal((ulong)fixture.Model.TagNames.Count, key.Count);
        VBuffer<ReadOnlyMemory<char>> names = default;
        label.GetKeyValues(ref names);
        Assert.Equal(fixture.Model.TagNames, names.DenseValues().Select(n => n.ToString()));
        Assert.Equal(new[] { "ADV", "B-PER", "DET", "I-PER", "NOUN", "VERB" }, fixture.Model.TagNames.Order());

        var keys = Keys(output);
        var scores = Columns.ReadVectors(output, "Score");
        Assert.Equal(fixture.TestRows.Select(r => r.Tokens.Length), keys.Select(k => k.Length));
        Assert.Equal(fixture.TestRows.Select(r => r.Tokens.Length), scores.Select(s => s.Length));
        Assert.All(keys.SelectMany(k => k), k => Assert.InRange(k, 1u, (uint)fixture.Model.TagNames.Count));
        Assert.All(scores.SelectMany(s => s), p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public void GetOutputSchema_MatchesTheFittedColumns_AndRefusesWrongTypes()
    {
        var ml = fixture.Ml;
        var trainer = ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(ToyTagging.Options());
        var rowShape = RecurrentTextClassifierTrainerTests.ShapeOf<ToyTagging.Row>(ml);
        var shape = trainer.GetOutputSchema(ml.Transforms.Conversion.MapValueToKey("Label", "Tags").GetOutputSchema(rowShape));
        var predicted = shape.Single(c => c.Name == "PredictedLabel");
        Assert.Equal(SchemaShape.Column.VectorKind.VariableVector, predicted.Kind);
        Assert.True(predicted.IsKey);
        Assert.Contains(predicted.Annotations, a => a.Name == "KeyValues");
        Assert.Equal(NumberDataViewType.Single, shape.Single(c => c.Name == "Score").ItemType);

        // The label must be a vector of keys, not the tag strings themselves.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(rowShape));
        Assert.Contains("Could not find label column 'Label'", e.Message);
        var strings = ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(new RecurrentSequenceTaggerOptions { LabelColumnName = "Tags" });
        e = Assert.Throws<ArgumentOutOfRangeException>(() => strings.GetOutputSchema(rowShape));
        Assert.Contains("expected Vector<Key<UInt32>>, got Vector<String>", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => strings.Fit(fixture.Train));
        Assert.Contains("expected Vector<Key<UInt32>> with 1 to 100,000 key values, got Vector<String>", e.Message);
    }

    private sealed class MismatchRow
    {
        [VectorType] public string[] Tokens { get; set; } = Array.Empty<string>();
        [VectorType] public string[] Tags { get; set; } = Array.Empty<string>();
    }

    [Fact]
    public void Fit_TokenAndTagCountsDiffer_NamesTheRowAndBothCounts()
    {
        var rows = ToyTagging.Sentences(10, seed: 3).Select(r => new MismatchRow { Tokens = r.Tokens, Tags = r.Tags }).ToList();
        rows[7].Tags = rows[7].Tags.Append("DET").ToArray();
        var data = fixture.Ml.Data.LoadFromEnumerable(rows);
        var keyed = fixture.Ml.Transforms.Conversion.MapValueToKey("Label", "Tags").Fit(data).Transform(data);
        var e = Assert.Throws<InvalidDataException>(() => fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(ToyTagging.Options()).Fit(keyed));
        Assert.Contains("row 7", e.Message);
        Assert.Contains($"{rows[7].Tokens.Length} tokens", e.Message);
        Assert.Contains($"{rows[7].Tags.Length} tags", e.Message);
    }

    [Fact]
    public void PredictionEngine_GivesTheTagsOfTransform_AndTagGivesTheirNames()
    {
        var batched = PredictedTags(fixture.Model, fixture.Test);
        var chain = fixture.Model.Append(fixture.Ml.Transforms.Conversion.MapKeyToValue("PredictedTags", "PredictedLabel").Fit(fixture.Model.Transform(fixture.Test)));
        var engine = fixture.Ml.Model.CreatePredictionEngine<ToyTagging.Row, TagsOut>(chain);
        for (int i = 0; i < 20; i++)
            Assert.Equal(batched[i], engine.Predict(fixture.TestRows[i]).PredictedTags);
        Assert.Equal(batched.Take(20), fixture.Model.Tag(fixture.TestRows.Take(20).Select(r => (IReadOnlyList<string>)r.Tokens)));
        Assert.Empty(fixture.Model.Tag(new[] { Array.Empty<string>() })[0]);
    }

    [Fact]
    public void SaveThenLoad_GivesIdenticalTagsAndScores_AlsoInAFreshProcess()
    {
        var sentences = fixture.TestRows.Take(12).Select(r => r.Tokens).Append(new[] { "zebra", "quokka", "book" }).ToArray();
        var data = fixture.Ml.Data.LoadFromEnumerable(sentences.Select(t => new ToyTagging.Row { Tokens = t }));
        var before = fixture.Model.Transform(data);
        var expected = Keys(before).Select(k => string.Join(" ", k))
            .Zip(Columns.ReadVectors(before, "Score"), (k, s) => k + " | " + string.Join(" ", s.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))).ToArray();
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "tagger.zip");
            fixture.Ml.Model.SaveRnnModel(fixture.Model, fixture.Train.Schema, path);
            var loaded = new MLContext(seed: 2).Model.LoadRnnModel(path, out _);
            var after = loaded.Transform(data);
            Assert.Equal(expected, Keys(after).Select(k => string.Join(" ", k))
                .Zip(Columns.ReadVectors(after, "Score"), (k, s) => k + " | " + string.Join(" ", s.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))));
            Assert.Equal(fixture.Model.TagNames, ((RecurrentSequenceTaggerTransformer)loaded).TagNames);
            (loaded as IDisposable)?.Dispose();

            var textsPath = Path.Combine(folder, "sentences.txt");
            File.WriteAllLines(textsPath, sentences.Select(s => string.Join(' ', s)), new UTF8Encoding(false));
            Assert.Equal(expected, RnnModelOperationsTests.RunReloadCheck(path, textsPath, "--tag"));
        });
    }

    private sealed class TextRow
    {
        public string Tokens { get; set; } = "";
        [VectorType] public string[] Tags { get; set; } = Array.Empty<string>();
    }

    [Fact]
    public void TextInput_IsSplitByTheWordTokenizer_AndMustStayText()
    {
        var rows = fixture.TrainRows.Take(120).Select(r => new TextRow { Tokens = string.Join(' ', r.Tokens), Tags = r.Tags }).ToList();
        var data = fixture.Ml.Data.LoadFromEnumerable(rows);
        var keyed = fixture.Ml.Transforms.Conversion.MapValueToKey("Label", "Tags").Fit(data).Transform(data);
        var options = ToyTagging.Options();
        options.Epochs = 1;
        using var model = fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options).Fit(keyed);
        var keys = Keys(model.Transform(keyed));
        Assert.Equal(rows.Select(r => r.Tags.Length), keys.Select(k => k.Length));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(fixture.Test));
        Assert.Contains("expected String (as in training), got Vector<String>", e.Message);
    }

    [Fact]
    public void CnnCharacterEncoder_IsTrainedSavedAndReloadedAsACnn()
    {
        var options = ToyTagging.Options();
        (options.Epochs, options.CharacterEncoder) = (2, CharacterEncoderKind.Cnn);
        using var model = fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options).Fit(fixture.Keys.Transform(fixture.Train));
        Assert.Equal(CharacterEncoderKind.Cnn, model.Model.Characters!.Kind);
        var sentences = fixture.TestRows.Take(12).Select(r => (IReadOnlyList<string>)r.Tokens).Append(new[] { "zebra", "quokka" }).ToArray();
        var expected = model.Tag(sentences);
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "cnn-tagger.zip");
            fixture.Ml.Model.SaveRnnModel(model, fixture.Train.Schema, path);
            using var loaded = (RecurrentSequenceTaggerTransformer)new MLContext(seed: 2).Model.LoadRnnModel(path, out _);
            Assert.Equal(CharacterEncoderKind.Cnn, loaded.Model.Options.CharacterEncoder);
            Assert.NotNull(loaded.Model.Characters!.Convolution);
            Assert.Equal(expected, loaded.Tag(sentences));
        });
    }

    [Fact]
    public void BadOptions_NameTheOptionAndItsValue()
    {
        var options = ToyTagging.Options();
        options.Scheme = RnnMl.Text.Tagging.TagScheme.Iob1;
        var e = Assert.ThrowsAny<ArgumentException>(() => fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options));
        Assert.Equal("Scheme", e.ParamName);
        Assert.Contains("Iob1", e.Message);
        options = ToyTagging.Options();
        options.CharacterHiddenSize = -7;
        e = Assert.ThrowsAny<ArgumentException>(() => fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options));
        Assert.Equal("CharacterHiddenSize", e.ParamName);
        Assert.Contains("-7", e.Message);
        options = ToyTagging.Options();
        options.CharacterEncoder = (CharacterEncoderKind)7;
        e = Assert.ThrowsAny<ArgumentException>(() => fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options));
        Assert.Equal("CharacterEncoder", e.ParamName);
        Assert.Contains("7", e.Message);
    }

    [Fact]
    public void Dispose_ThenEveryMemberThrows()
    {
        var options = ToyTagging.Options();
        options.Epochs = 1;
        var model = fixture.Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options).Fit(fixture.Keys.Transform(fixture.Train));
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.TagNames);
        Assert.Throws<ObjectDisposedException>(() => model.Transform(fixture.Test));
        Assert.Throws<ObjectDisposedException>(() => model.Tag(new[] { new[] { "the" } }));
        model.Dispose();
    }
}
