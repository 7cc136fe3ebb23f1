using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.NumericSequence;

namespace RnnMl.MLNet.Tests;

/// <summary>
/// Generated numeric sequences whose labels need the order of the steps. Trend rows: T in [4, 16] steps of F = 2
/// features, feature 0 = c + s·(t − (T − 1)/2)·0.5 + noise (c ~ N(0, 2²) a random level), feature 1 pure noise; the
/// regression label is the slope s ∈ [−1, 1], the binary label is s &gt; 0. The multiset of a row's values has the same
/// distribution for s and −s (the step offsets are symmetric around 0 and c is symmetric), so a model that ignores order
/// can do no better than chance on the sign (and R² ≤ 0 on s); reversing a row's steps turns s into −s. Spike rows: 12
/// steps of 1 feature, noise plus one spike of +4; the class is the third of the row the spike is in ("early",
/// "middle", "late"), again invisible to an order-free model (33 %).
/// </summary>
internal static class ToySequences
{
    public sealed class TrendRow
    {
        [VectorType] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    public sealed class SignRow
    {
        [VectorType] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    public sealed class SpikeRow
    {
        [VectorType(12)] public float[] Features { get; set; } = [];
        public string Where { get; set; } = "";
    }

    public static List<TrendRow> Trends(int count, int seed)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var rows = new List<TrendRow>();
        for (int i = 0; i < count; i++)
        {
            int t = random.Next(4, 17);
            double s = (random.NextDouble() * 0.8 + 0.2) * (random.Next(2) == 0 ? -1 : 1), c = 2 * Gaussian();
            var x = new float[2 * t];
            for (int k = 0; k < t; k++)
            {
                x[2 * k] = (float)(c + s * (k - (t - 1) / 2.0) * 0.5 + 0.1 * Gaussian());
                x[2 * k + 1] = (float)Gaussian();
            }
            rows.Add(new TrendRow { Features = x, Label = (float)s });
        }
        return rows;
    }

    public static List<SignRow> Signs(int count, int seed) => Trends(count, seed).Select(r => new SignRow { Features = r.Features, Label = r.Label > 0 }).ToList();

    public static List<SpikeRow> Spikes(int count, int seed)
    {
        var random = new Random(seed);
        string[] names = ["early", "middle", "late"];
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = Enumerable.Range(0, 12).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            int at = random.Next(12);
            x[at] += 4;
            return new SpikeRow { Features = x, Where = names[at / 4] };
        }).ToList();
    }

    /// <summary>The same rows with their steps in reverse order (F values per step kept together).</summary>
    public static float[] Reversed(float[] x, int f) => Enumerable.Range(0, x.Length / f).Reverse().SelectMany(t => x.Skip(t * f).Take(f)).ToArray();

    public static RecurrentNumericSequenceOptions Options(int featuresPerStep) => new()
    {
        FeaturesPerStep = featuresPerStep,
        HiddenSize = 32,
        ProjectionSize = 16,
        Epochs = 40,
        BatchSize = 32,
        LearningRate = 5e-3,
        PredictionBatchSize = 7,
        Seed = 1,
    };
}

/// <summary>The three trainers fitted once per test class: a regressor and a binary classifier on 600 trend rows, a
/// multiclass classifier on 600 spike rows (through MapValueToKey); held-out rows come from other seeds.</summary>
public sealed class NumericSequenceFixture : IDisposable
{
    public NumericSequenceFixture()
    {
        Ml = new MLContext(seed: 1);
        TrendTrain = Ml.Data.LoadFromEnumerable(ToySequences.Trends(600, seed: 1));
        SignTrain = Ml.Data.LoadFromEnumerable(ToySequences.Signs(600, seed: 1));
        SpikeKeys = Ml.Transforms.Conversion.MapValueToKey("Label", "Where").Fit(Ml.Data.LoadFromEnumerable(ToySequences.Spikes(600, seed: 1)));
        SpikeTrain = SpikeKeys.Transform(Ml.Data.LoadFromEnumerable(ToySequences.Spikes(600, seed: 1)));
        Regressor = Ml.Regression.Trainers.RecurrentNumericSequence(ToySequences.Options(2)).Fit(TrendTrain);
        Binary = Ml.BinaryClassification.Trainers.RecurrentNumericSequence(ToySequences.Options(2)).Fit(SignTrain);
        Multiclass = Ml.MulticlassClassification.Trainers.RecurrentNumericSequence(ToySequences.Options(1)).Fit(SpikeTrain);
    }

    public MLContext Ml { get; }
    public IDataView TrendTrain { get; }
    public IDataView SignTrain { get; }
    public IDataView SpikeTrain { get; }
    public ITransformer SpikeKeys { get; }
    public RecurrentNumericSequenceTransformer Regressor { get; }
    public RecurrentNumericSequenceTransformer Binary { get; }
    public RecurrentNumericSequenceTransformer Multiclass { get; }

    public void Dispose()
    {
        Regressor.Dispose();
        Binary.Dispose();
        Multiclass.Dispose();
    }
}
