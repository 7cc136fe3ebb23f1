using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Forecasting;

namespace RnnMl.Onnx.Tests;

/// <summary><c>ml.Model.ExportRnnModelToOnnx</c> on a fitted ML.NET forecaster: <see cref="OnnxForecaster"/> gives the
/// transformer's forecasts and bounds (its per-target z-scoring is inside the graph).</summary>
public sealed class ForecasterOnnxOperationsTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("rnnml-mlforecaster-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    public sealed class Row
    {
        public float A { get; set; }
        public float B { get; set; }
    }

    // Two targets on very different levels and scales, so a missing or wrong z-scoring shows.
    private static List<Row> Series(int count)
    {
        var random = new Random(3);
        return Enumerable.Range(0, count).Select(t => new Row
        {
            A = (float)(10 + 3 * Math.Sin(2 * Math.PI * t / 24) + 0.3 * random.NextDouble()),
            B = (float)(-200 + 40 * Math.Cos(2 * Math.PI * t / 24 + 1) + 6 * random.NextDouble()),
        }).ToList();
    }

    private static RecurrentForecasterTransformer Fit(MLContext ml, List<Row> rows) => ml.Forecasting.ForecastByRecurrent(new RecurrentForecasterOptions
    {
        TargetColumnNames = ["A", "B"], Lookback = 24, Horizon = 6, SegmentLength = 6, HiddenSize = 8, Epochs = 2, BatchSize = 32, Seed = 1,
    }).Fit(ml.Data.LoadFromEnumerable(rows));

    [Fact]
    public void ExportedForecaster_GivesTheTransformersForecastsAndBounds_Within1em4()
    {
        var ml = new MLContext(seed: 1);
        var rows = Series(300);
        using var transformer = Fit(ml, rows);
        var path = Path.Combine(folder, "forecaster.onnx");
        ml.Model.ExportRnnModelToOnnx(transformer, path);

        using var onnx = OnnxForecaster.Load(path);
        Assert.Equal(new[] { "A", "B" }, onnx.Info.ChannelNames);
        double max = 0;
        foreach (int end in new[] { 30, 101, 257, 300 })
        {
            var history = rows.Take(end).Select(r => new[] { r.A, r.B }).ToList();
            var expected = transformer.Forecast(history);
            var actual = onnx.Forecast(history);
            for (int c = 0; c < 2; c++)
                for (int s = 0; s < 6; s++)
                {
                    max = Math.Max(max, Math.Abs(expected.Forecast[c][s] - actual.Point[s, c]));
                    max = Math.Max(max, Math.Abs(expected.LowerBound[c][s] - actual.Lower![s, c]));
                    max = Math.Max(max, Math.Abs(expected.UpperBound[c][s] - actual.Upper![s, c]));
                }
        }
        output.WriteLine($"max |transformer − onnx| = {max:E2}");
        Assert.True(max <= 1e-4, $"max |transformer − onnx| = {max}");
        // The graph reads the series' units: the same history shifted by 7 in B moves B's forecast (not a bare network's echo).
        var shifted = rows.Take(300).Select(r => new[] { r.A, r.B + 7 }).ToList();
        Assert.NotEqual(onnx.Forecast(shifted).Point[0, 1], onnx.Forecast(rows.Take(300).Select(r => new[] { r.A, r.B }).ToList()).Point[0, 1]);
    }

    public sealed class CovariateRow
    {
        public float A { get; set; }
        public float B { get; set; }
        public float Hour { get; set; }
    }

    [Fact]
    public void ExportedJointForecasterWithACovariate_GivesTheTransformersForecasts_Within1em4()
    {
        var ml = new MLContext(seed: 1);
        var rows = Series(300).Select((r, t) => new CovariateRow { A = r.A, B = r.B, Hour = t % 24 }).ToList();
        using var transformer = ml.Forecasting.ForecastByRecurrent(new RecurrentForecasterOptions
        {
            TargetColumnNames = ["A", "B"], KnownCovariateColumns = ["Hour"], ChannelMode = Torch.Forecasting.ForecasterChannelMode.Joint,
            Lookback = 24, Horizon = 6, SegmentLength = 6, HiddenSize = 8, Epochs = 2, BatchSize = 32, Seed = 1,
        }).Fit(ml.Data.LoadFromEnumerable(rows));
        var path = Path.Combine(folder, "covariates.onnx");
        ml.Model.ExportRnnModelToOnnx(transformer, path);
        using var onnx = OnnxForecaster.Load(path);
        Assert.Equal((1, true), (onnx.Info.Covariates, onnx.Info.Joint));
        Assert.Equal(new[] { "Hour" }, onnx.Info.CovariateNames);
        double max = 0;
        foreach (int end in new[] { 30, 150, 294 })
        {
            var history = rows.Take(end).Select(r => new[] { r.A, r.B, r.Hour }).ToList();
            var future = rows.Skip(end).Take(6).Select(r => new[] { r.Hour }).ToList();
            var expected = transformer.Forecast(history, future);
            var table = new float[end, 2];
            var covariates = new float[end + 6, 1];
            for (int t = 0; t < end + 6; t++)
            {
                if (t < end) (table[t, 0], table[t, 1]) = (rows[t].A, rows[t].B);
                covariates[t, 0] = rows[t].Hour;
            }
            var actual = onnx.Forecast(table, covariates);
            for (int c = 0; c < 2; c++)
                for (int s = 0; s < 6; s++)
                    max = Math.Max(max, Math.Max(Math.Abs(expected.Forecast[c][s] - actual.Point[s, c]), Math.Abs(expected.UpperBound[c][s] - actual.Upper![s, c])));
        }
        output.WriteLine($"joint with a covariate: max |transformer − onnx| = {max:E2}");
        Assert.True(max <= 1e-4, $"max |transformer − onnx| = {max}");
    }

    [Fact]
    public void DisposedForecaster_IsRefused_AndClassNamesAreForClassifiers()
    {
        var ml = new MLContext(seed: 1);
        var transformer = Fit(ml, Series(120));
        var path = Path.Combine(folder, "f.onnx");
        Assert.Throws<ArgumentException>(() => ml.Model.ExportRnnModelToOnnx(transformer, path, new[] { "x" }));
        transformer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ml.Model.ExportRnnModelToOnnx(transformer, path));
        Assert.False(File.Exists(path));
    }
}
