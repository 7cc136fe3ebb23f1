using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Forecasting;

namespace RnnMl.MLNet.Tests;

/// <summary>A generated two-channel series: daily seasonality (period 24), a slow trend and Gaussian noise; channel B on a
/// scale 20× A's, so the per-channel scaling matters.</summary>
internal static class ToySeries
{
    public sealed class Row
    {
        public float A { get; set; }
        public float B { get; set; }
    }

    public const float NoiseA = 0.3f;

    public static List<Row> Generate(int count, int seed)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return Enumerable.Range(0, count).Select(t => new Row
        {
            A = (float)(10 + 3 * Math.Sin(2 * Math.PI * t / 24) + 0.002 * t + NoiseA * Gaussian()),
            B = (float)(100 + 40 * Math.Cos(2 * Math.PI * t / 24 + 1) - 0.01 * t + 6 * Gaussian()),
        }).ToList();
    }

    public static RecurrentForecasterOptions Options() => new()
    {
        TargetColumnNames = ["A", "B"],
        Lookback = 48,
        Horizon = 12,
        SegmentLength = 12,
        HiddenSize = 32,
        Epochs = 20,
        BatchSize = 32,
        PredictionBatchSize = 7,
        Seed = 1,
    };
}

/// <summary>A forecaster trained once per test class on the first 1,100 steps of a 1,400-step series; the last 300 steps
/// are never seen in training (<see cref="Test"/> starts L rows earlier so its first window forecasts step 1,100).</summary>
public sealed class ForecasterFixture : IDisposable
{
    public const int TrainRows = 1100;

    public ForecasterFixture()
    {
        Ml = new MLContext(seed: 1);
        AllRows = ToySeries.Generate(1400, seed: 7);
        Train = Ml.Data.LoadFromEnumerable(AllRows.Take(TrainRows));
        TestRows = AllRows.Skip(TrainRows - 48).ToList();
        Test = Ml.Data.LoadFromEnumerable(TestRows);
        Model = Ml.Forecasting.ForecastByRecurrent(ToySeries.Options()).Fit(Train);
    }

    public MLContext Ml { get; }
    internal List<ToySeries.Row> AllRows { get; }
    internal List<ToySeries.Row> TestRows { get; }
    public IDataView Train { get; }
    public IDataView Test { get; }
    public RecurrentForecasterTransformer Model { get; }

    public void Dispose() => Model.Dispose();
}
