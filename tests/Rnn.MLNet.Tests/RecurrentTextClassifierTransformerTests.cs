using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using Xunit.Abstractions;

namespace RnnMl.MLNet.Tests;

/// <summary>Scoring with a fitted transformer: concurrency, batching, memory, input checks and pass-through columns.</summary>
public class RecurrentTextClassifierTransformerTests : IClassFixture<BinaryModelFixture>
{
    private const int Threads = 8;

    private readonly BinaryModelFixture binary;
    private readonly ITestOutputHelper output;

    public RecurrentTextClassifierTransformerTests(BinaryModelFixture binary, ITestOutputHelper output)
    {
        this.binary = binary;
        this.output = output;
    }

    private IEnumerable<ToyData.TextRow> TestTexts => binary.TestRows.Select(r => new ToyData.TextRow { Text = r.Text });

    [Fact]
    public void PredictionEngines_OnEightThreadsAtOnce_MatchSequentialResults()
    {
        var ml = binary.Ml;
        var rows = TestTexts.ToArray();
        Assert.Equal(200, rows.Length);
        var sequential = Predict(ml.Model.CreatePredictionEngine<ToyData.TextRow, BinaryPrediction>(binary.Model), rows);

        var results = new (int[] Scores, bool[] Labels)[Threads];
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            // PredictionEngine is not thread-safe: one per thread.
            var engine = ml.Model.CreatePredictionEngine<ToyData.TextRow, BinaryPrediction>(binary.Model);
            start.SignalAndWait();
            results[t] = Predict(engine, rows);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        for (int t = 0; t < Threads; t++)
        {
            Assert.Equal(sequential.Scores, results[t].Scores);
            Assert.Equal(sequential.Labels, results[t].Labels);
        }
    }

    [Fact]
    public void Transform_CalledFromEightThreadsAtOnce_MatchesSequentialResults()
    {
        var sequential = Columns.Bits(Columns.Read<float>(binary.Model.Transform(binary.Test), "Score"));

        var results = new int[Threads][];
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            results[t] = Columns.Bits(Columns.Read<float>(binary.Model.Transform(binary.Test), "Score"));
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.All(results, r => Assert.Equal(sequential, r));
    }

    [Fact]
    public void Transform_WithAPartialLastBatch_MatchesPredictionEngineRowByRow()
    {
        var ml = binary.Ml;
        Assert.Equal(7, binary.Model.PredictionBatchSize);
        Assert.NotEqual(0, binary.TestRows.Count % 7);
        var scored = binary.Model.Transform(binary.Test);
        var scores = Columns.Read<float>(scored, "Score");
        var probabilities = Columns.Read<float>(scored, "Probability");
        var labels = Columns.Read<bool>(scored, "PredictedLabel");
        var engine = ml.Model.CreatePredictionEngine<ToyData.TextRow, BinaryPrediction>(binary.Model);

        var rows = TestTexts.ToArray();
        Assert.Equal(rows.Length, scores.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            var p = engine.Predict(rows[i]);
            // Batched and one-row scoring round differently in the last bits (see Columns.AssertClose).
            Columns.AssertClose(new[] { scores[i], probabilities[i] }, new[] { p.Score, p.Probability }, $"row {i} Score, Probability");
            if (Math.Abs(scores[i]) > 1e-4f) Assert.Equal(labels[i], p.PredictedLabel);
        }
    }

    [Fact]
    public void Transform_LastPartialBatch_IsScoredExactlyLikeThoseRowsOnTheirOwn()
    {
        // Equal batches give bitwise equal scores, so this checks that every row lands in the right batch, the short last one included.
        var ml = binary.Ml;
        var rows = TestTexts.ToArray();
        int size = binary.Model.PredictionBatchSize, tail = rows.Length % size;
        var all = Columns.Bits(Columns.Read<float>(binary.Model.Transform(binary.Test), "Score"));

        for (int start = 0; start < rows.Length; start += size)
        {
            var batch = ml.Data.LoadFromEnumerable(rows.Skip(start).Take(size));
            var alone = Columns.Bits(Columns.Read<float>(binary.Model.Transform(batch), "Score"));
            Assert.Equal(all.Skip(start).Take(size), alone);
        }
        Assert.InRange(tail, 1, size - 1);
    }

    [Fact]
    public void PredictionEngine_Over100000Predictions_KeepsMemoryFlat()
    {
        var ml = new MLContext(seed: 1);
        var options = Tiny.Options(1);
        options.Bidirectional = false;
        options.Cell = RecurrentCellKind.Gru;
        options.Pooling = PoolingKind.Last;
        using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(ml.Data.LoadFromEnumerable(ToyData.Binary(64, 3)));
        var engine = ml.Model.CreatePredictionEngine<ToyData.TextRow, BinaryPrediction>(model);
        var rows = new[] { "good", "the plot was not good", "bad", "" }.Select(t => new ToyData.TextRow { Text = t }).ToArray();
        float sum = 0;
        long at10k = 0, at100k = 0;

        for (int i = 1; i <= 100_000; i++)
        {
            sum += engine.Predict(rows[i % rows.Length]).Probability;
            if (i == 10_000) at10k = WorkingSet();
            if (i == 100_000) at100k = WorkingSet();
        }

        Assert.True(float.IsFinite(sum));
        long growth = at100k - at10k;
        long allowed = Math.Max(30L << 20, at10k / 10);
        var numbers = $"working set {at10k >> 20} MB at prediction 10,000, {at100k >> 20} MB at 100,000: growth {growth / 1024} KB (allowed {allowed >> 20} MB)";
        output.WriteLine(numbers);
        Assert.True(growth <= allowed, numbers);
    }

    [Fact]
    public void Transform_InputColumnOfAnotherTypeThanInTraining_ThrowsNamingBothTypes()
    {
        var ml = binary.Ml;
        // The model read a String column named Text; here Text holds the words as Vector<String>.
        var tokens = ml.Transforms.Text.TokenizeIntoWords("Text").Fit(binary.Test).Transform(binary.Test);

        var transform = Assert.Throws<ArgumentOutOfRangeException>(() => binary.Model.Transform(tokens));
        var schema = Assert.Throws<ArgumentOutOfRangeException>(() => binary.Model.GetOutputSchema(tokens.Schema));

        foreach (var e in new[] { transform, schema })
        {
            Assert.Contains("'Text'", e.Message);
            Assert.Contains("expected String", e.Message);
            Assert.Contains("got Vector<String>", e.Message);
        }
    }

    [Fact]
    public void Transform_PassThroughColumns_AreUnchanged()
    {
        var ml = binary.Ml;
        var rows = binary.TestRows.Take(23).Select((r, i) => new WideRow { Id = i * 7, Text = r.Text, Label = r.Label, Weight = i / 7f, Note = $"note {i}" }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);

        var scored = binary.Model.Transform(data);

        for (int c = 0; c < data.Schema.Count; c++)
        {
            Assert.Equal(data.Schema[c].Name, scored.Schema[c].Name);
            Assert.Equal(data.Schema[c].Type, scored.Schema[c].Type);
        }
        Assert.Equal(rows.Select(r => r.Id), Columns.Read<int>(scored, "Id"));
        Assert.Equal(rows.Select(r => r.Text), Columns.ReadStrings(scored, "Text"));
        Assert.Equal(rows.Select(r => r.Label), Columns.Read<bool>(scored, "Label"));
        Assert.Equal(Columns.Bits(rows.Select(r => r.Weight)), Columns.Bits(Columns.Read<float>(scored, "Weight")));
        Assert.Equal(rows.Select(r => r.Note), Columns.ReadStrings(scored, "Note"));
        Assert.Equal(rows.Length, Columns.Read<float>(scored, "Score").Length);
    }

    private static (int[] Scores, bool[] Labels) Predict(PredictionEngine<ToyData.TextRow, BinaryPrediction> engine, ToyData.TextRow[] rows)
    {
        var predictions = rows.Select(engine.Predict).Select(p => (p.Score, p.PredictedLabel)).ToArray();
        return (Columns.Bits(predictions.Select(p => p.Score)), predictions.Select(p => p.PredictedLabel).ToArray());
    }

    private static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private sealed class WideRow
    {
        public int Id { get; set; }
        public string Text { get; set; } = "";
        public bool Label { get; set; }
        public float Weight { get; set; }
        public string Note { get; set; } = "";
    }

    [Fact]
    public void TransformAndPredictionEngine_IllFormedUtf16_ScoreLikeTheReplacementCharacter()
    {
        // A lone surrogate and U+FFFE used to make string.Normalize throw out of Transform and Predict.
        var junk = new[] { "the plot was \uD800 good", "the cast was \uFFFE not bad \uDC01" };
        var clean = new[] { "the plot was \uFFFD good", "the cast was \uFFFD not bad \uFFFD" };
        float[] Scores(string[] texts) => binary.Ml.Data.CreateEnumerable<BinaryPrediction>(
            binary.Model.Transform(binary.Ml.Data.LoadFromEnumerable(texts.Select(t => new ToyData.TextRow { Text = t }))), reuseRowObject: false)
            .Select(p => p.Score).ToArray();
        var expected = Scores(clean);
        Assert.Equal(expected, Scores(junk));
        var engine = binary.Ml.Model.CreatePredictionEngine<ToyData.TextRow, BinaryPrediction>(binary.Model);
        // One row at a time differs from a batch of two only in the last bits (a different matrix shape in libtorch).
        var single = junk.Select(t => engine.Predict(new ToyData.TextRow { Text = t }).Score).ToArray();
        for (int i = 0; i < junk.Length; i++) Assert.Equal(expected[i], single[i], 1e-5);
    }
}
