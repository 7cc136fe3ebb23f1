using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.Classification;

namespace RnnMl.MLNet.Tests;

/// <summary>Tiny settings that train in seconds on two shared cores.</summary>
internal static class Tiny
{
    public static RecurrentTextClassifierOptions Options(int epochs = 10) => new()
    {
        HiddenSize = 8,
        EmbeddingSize = 8,
        Epochs = epochs,
        BatchSize = 16,
        LearningRate = 0.01,
        EarlyStoppingPatience = null,
        // The fixtures' recipe predates the classifier's AdamW + linear-decay defaults; pinned so the tests keep their meaning.
        Optimizer = RnnMl.Torch.Training.OptimizerKind.Adam,
        WeightDecay = 0,
        Schedule = RnnMl.Torch.Training.LearningRateSchedule.Constant,
        // One model, as before ensembles became the default (ClassifierEnsembleTests sets its own sizes).
        EnsembleSize = 1,
    };
}

/// <summary>POCOs for PredictionEngine outputs.</summary>
internal sealed class BinaryPrediction
{
    public float Score { get; set; }
    public float Probability { get; set; }
    public bool PredictedLabel { get; set; }
}

internal sealed class MulticlassPrediction
{
    public float[] Score { get; set; } = Array.Empty<float>();
    public uint PredictedLabel { get; set; }
}

/// <summary>A binary classifier trained once per test class on <see cref="ToyData.Binary"/>; PredictionBatchSize 7 so
/// that batched scoring ends with a partial batch.</summary>
public sealed class BinaryModelFixture : IDisposable
{
    public BinaryModelFixture()
    {
        Ml = new MLContext(seed: 1);
        TrainRows = ToyData.Binary(400, 1, ToyData.Split.Train);
        TestRows = ToyData.Binary(200, 2, ToyData.Split.Test);
        Train = Ml.Data.LoadFromEnumerable(TrainRows);
        Test = Ml.Data.LoadFromEnumerable(TestRows);
        var options = Tiny.Options();
        options.PredictionBatchSize = 7;
        Model = Ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(Train);
    }

    public MLContext Ml { get; }
    internal List<ToyData.BinaryRow> TrainRows { get; }
    internal List<ToyData.BinaryRow> TestRows { get; }
    public IDataView Train { get; }
    public IDataView Test { get; }
    public RecurrentTextClassifierTransformer Model { get; }

    public void Dispose() => Model.Dispose();
}

/// <summary>A three-topic classifier trained once per test class on <see cref="ToyData.Multiclass"/> (Topic → key Label).</summary>
public sealed class MulticlassModelFixture : IDisposable
{
    public MulticlassModelFixture()
    {
        Ml = new MLContext(seed: 1);
        TrainRows = ToyData.Multiclass(300, 1);
        TestRows = ToyData.Multiclass(150, 2);
        var rawTrain = Ml.Data.LoadFromEnumerable(TrainRows);
        KeyMapper = Ml.Transforms.Conversion.MapValueToKey("Label", "Topic").Fit(rawTrain);
        Train = KeyMapper.Transform(rawTrain);
        Test = KeyMapper.Transform(Ml.Data.LoadFromEnumerable(TestRows));
        Model = Ml.MulticlassClassification.Trainers.RecurrentTextClassifier(Tiny.Options()).Fit(Train);
    }

    public MLContext Ml { get; }
    internal List<ToyData.MulticlassRow> TrainRows { get; }
    internal List<ToyData.MulticlassRow> TestRows { get; }

    /// <summary>Topic (String) → Label (Key&lt;UInt32, 3&gt; with the topics as KeyValues).</summary>
    public ITransformer KeyMapper { get; }
    public IDataView Train { get; }
    public IDataView Test { get; }
    public RecurrentTextClassifierTransformer Model { get; }

    public void Dispose() => Model.Dispose();
}

/// <summary>A binary classifier trained once per test class on key-typed tokens (TokenizeIntoWords, then MapValueToKey).</summary>
public sealed class KeyTokensModelFixture : IDisposable
{
    public KeyTokensModelFixture()
    {
        Ml = new MLContext(seed: 1);
        var rawTrain = Ml.Data.LoadFromEnumerable(ToyData.Binary(400, 1, ToyData.Split.Train));
        Featurizer = Ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(Ml.Transforms.Conversion.MapValueToKey("Tokens"))
            .Fit(rawTrain);
        Train = Featurizer.Transform(rawTrain);
        Test = Featurizer.Transform(Ml.Data.LoadFromEnumerable(ToyData.Binary(200, 2, ToyData.Split.Test)));
        var options = Tiny.Options();
        options.TextColumnName = "Tokens";
        Model = Ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(Train);
    }

    public MLContext Ml { get; }

    /// <summary>Text → Tokens (Vector&lt;Key&lt;UInt32&gt;&gt;).</summary>
    public ITransformer Featurizer { get; }
    public IDataView Train { get; }
    public IDataView Test { get; }
    public RecurrentTextClassifierTransformer Model { get; }

    public void Dispose() => Model.Dispose();
}

/// <summary>Reads columns of a data view.</summary>
internal static class Columns
{
    public static T[] Read<T>(IDataView data, string column)
    {
        var col = data.Schema[column];
        var values = new List<T>();
        using var cursor = data.GetRowCursor(new[] { col });
        var get = cursor.GetGetter<T>(col);
        T value = default!;
        while (cursor.MoveNext())
        {
            get(ref value);
            values.Add(value);
        }
        return values.ToArray();
    }

    public static float[][] ReadVectors(IDataView data, string column)
    {
        // A getter may reuse the buffer it fills, so every row is copied out.
        var col = data.Schema[column];
        var rows = new List<float[]>();
        using var cursor = data.GetRowCursor(new[] { col });
        var get = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            get(ref value);
            rows.Add(value.DenseValues().ToArray());
        }
        return rows.ToArray();
    }

    public static string[] ReadStrings(IDataView data, string column)
        => Read<ReadOnlyMemory<char>>(data, column).Select(v => v.ToString()).ToArray();

    /// <summary>
    /// Batched scoring (Transform) and one-row scoring (PredictionEngine) run libtorch's CPU kernels on different batch
    /// shapes, and those round differently in the last bits (even a batch of five copies of one row differs from the row
    /// alone), so they are compared to a few units in the last place, not bit for bit.
    /// </summary>
    public static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[i])),
                $"{what} [{i}]: {expected[i]:R} vs {actual[i]:R}");
    }

    /// <summary>The bit patterns of floats, so that equality is exact (NaN included).</summary>
    public static int[] Bits(IEnumerable<float> values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
