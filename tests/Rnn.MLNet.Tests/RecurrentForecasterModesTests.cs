using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.Forecasting;
using RnnMl.Torch.Forecasting;
using RnnMl.Torch.Models;
using Xunit.Abstractions;

namespace RnnMl.MLNet.Tests;

/// <summary><c>ForecastByRecurrent</c>'s joint and recursive modes, known covariates and forward-fill.</summary>
public class RecurrentForecasterModesTests(ITestOutputHelper output)
{
    private const int L = 24, H = 6;

    public sealed class EventRow
    {
        public float Load { get; set; }
        public float Other { get; set; }
        public float Event { get; set; }
    }

    /// <summary>Load: spikes of height 3 at random (non-periodic) steps announced by Event, plus noise; Other: Load delayed by H.</summary>
    private static List<EventRow> Events(int count, int seed)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var events = Enumerable.Range(0, count).Select(_ => random.NextDouble() < 0.08 ? 1f : 0f).ToArray();
        var load = events.Select(e => (float)(10 + 3 * e + 0.2 * Gaussian())).ToArray();
        return Enumerable.Range(0, count).Select(t => new EventRow { Load = load[t], Other = t >= H ? load[t - H] : 10, Event = events[t] }).ToList();
    }

    private static RecurrentForecasterOptions Options(params string[] covariates) => new()
    {
        TargetColumnNames = ["Load"], KnownCovariateColumns = covariates, Lookback = L, Horizon = H, SegmentLength = 6,
        HiddenSize = 24, Epochs = 15, BatchSize = 32, LearningRate = 0.01, PredictionBatchSize = 16, Seed = 1,
    };

    private static float[][] Read(IDataView scored, string column) =>
        scored.GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray()).ToArray();

    [Fact]
    public void KnownCovariate_ForecastsAnnouncedSpikes_AndTransformReadsTheNextHRows()
    {
        var ml = new MLContext(seed: 1);
        var rows = Events(1600, seed: 3);
        var train = ml.Data.LoadFromEnumerable(rows.Take(1200));
        var test = ml.Data.LoadFromEnumerable(rows.Skip(1200 - L));
        using var with = ml.Forecasting.ForecastByRecurrent(Options("Event")).Fit(train);
        using var without = ml.Forecasting.ForecastByRecurrent(Options()).Fit(train);
        double mseWith = with.Evaluate(test).Mse, mseWithout = without.Evaluate(test).Mse;
        output.WriteLine($"held-out mse: with the covariate {mseWith:F4}, without {mseWithout:F4}");
        Assert.True(mseWithout > 0.4, $"the spikes are not predictable from the lookback, got {mseWithout}");
        Assert.True(mseWith < 0.25 * mseWithout, $"with {mseWith} vs without {mseWithout}");

        var part = rows.Skip(1300).Take(60).ToList();
        var forecasts = Read(with.Transform(ml.Data.LoadFromEnumerable(part)), "LoadForecast");
        for (int t = 0; t < part.Count; t++)
            Assert.Equal(t >= L - 1 && t < part.Count - H, float.IsFinite(forecasts[t][0]));
        foreach (int t in new[] { L - 1, 40, part.Count - H - 1 })
        {
            var history = part.Take(t + 1).Select(r => new[] { r.Load, r.Event }).ToArray();
            var future = part.Skip(t + 1).Take(H).Select(r => new[] { r.Event }).ToArray();
            var direct = with.Forecast(history, future);
            for (int s = 0; s < H; s++) Assert.Equal(direct.Forecast[0][s], forecasts[t][s], 4);
        }

        var e = Assert.Throws<ArgumentException>(() => with.Forecast(part.Take(L).Select(r => new[] { r.Load, r.Event }).ToArray(), [[0f], [1f]]));
        Assert.Contains("futureCovariates has 2 rows", e.Message);
        Assert.Contains($"H = {H}", e.Message);
        var width = Assert.Throws<ArgumentException>(() => with.Forecast(part.Take(L).Select(r => new[] { r.Load }).ToArray(), Enumerable.Repeat(new[] { 0f }, H).ToArray()));
        Assert.Contains("expected 2 (Load, Event)", width.Message);
        Assert.Throws<InvalidOperationException>(() => with.Forecast(part.Take(L).Select(r => new[] { r.Load, r.Event }).ToArray()));
        Assert.Contains("no known covariates, got 1 rows", Assert.Throws<ArgumentException>(() =>
            without.Forecast(part.Take(L).Select(r => new[] { r.Load }).ToArray(), [[1f]])).Message);

        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "covariates.zip");
            ml.Model.SaveRnnModel(with, train.Schema, path);
            using var loaded = (RecurrentForecasterTransformer)new MLContext(seed: 2).Model.LoadRnnModel(path, out _);
            Assert.Equal(["Event"], loaded.KnownCovariateColumns);
            var again = Read(loaded.Transform(ml.Data.LoadFromEnumerable(part)), "LoadForecast");
            Assert.Equal(forecasts.SelectMany(f => f), again.SelectMany(f => f));
        });
    }

    [Fact]
    public void JointRecursive_UsesTheOtherTarget_AndSurvivesSaveLoad()
    {
        var ml = new MLContext(seed: 1);
        var rows = Events(1400, seed: 5);
        var train = ml.Data.LoadFromEnumerable(rows.Take(1100));
        var test = ml.Data.LoadFromEnumerable(rows.Skip(1100 - L));
        var options = Options();
        options.TargetColumnNames = ["Load", "Other"];
        using var independent = ml.Forecasting.ForecastByRecurrent(options).Fit(train);
        options.ChannelMode = ForecasterChannelMode.Joint;
        options.OutputMode = ForecastOutputMode.Recursive;
        options.SegmentLength = 3;
        using var joint = ml.Forecasting.ForecastByRecurrent(options).Fit(train);
        Assert.Equal((ForecasterChannelMode.Joint, ForecastOutputMode.Recursive), (joint.Model.ChannelMode, joint.Model.OutputMode));
        // Other's next H steps are Load's last H steps: only the joint model can read them.
        double independentOther = independent.Evaluate(test).MsePerTarget[1], jointOther = joint.Evaluate(test).MsePerTarget[1];
        output.WriteLine($"held-out mse of Other: joint {jointOther:F4}, independent {independentOther:F4}");
        Assert.True(jointOther < 0.3 * independentOther, $"joint {jointOther} vs independent {independentOther}");

        var part = ml.Data.LoadFromEnumerable(rows.Skip(1200).Take(50));
        var expected = Read(joint.Transform(part), "OtherForecast");
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "joint.zip");
            ml.Model.SaveRnnModel(joint, train.Schema, path);
            using var loaded = (RecurrentForecasterTransformer)new MLContext(seed: 2).Model.LoadRnnModel(path, out _);
            Assert.Equal((ForecasterChannelMode.Joint, ForecastOutputMode.Recursive, 2), (loaded.Model.ChannelMode, loaded.Model.OutputMode, loaded.Model.Channels));
            Assert.Equal(expected.SelectMany(f => f), Read(loaded.Transform(part), "OtherForecast").SelectMany(f => f));
        });
    }

    [Fact]
    public void ForwardFill_FillsAMissingValue_ElseTheErrorNamesRowAndColumn()
    {
        var ml = new MLContext(seed: 1);
        var rows = Events(300, seed: 7);
        rows[137].Event = float.NaN;
        var options = Options("Event");
        options.Epochs = 1;
        var data = ml.Data.LoadFromEnumerable(rows);
        var e = Assert.Throws<InvalidDataException>(() => ml.Forecasting.ForecastByRecurrent(options).Fit(data));
        Assert.Contains("training row 137: column 'Event'", e.Message);
        options.MissingValues = MissingValuePolicy.ForwardFill;
        using var model = ml.Forecasting.ForecastByRecurrent(options).Fit(data);
        var forecasts = Read(model.Transform(data), "LoadForecast");
        Assert.All(Enumerable.Range(137 - H, L + H), t => Assert.True(float.IsFinite(forecasts[t][0]), $"row {t}"));
        Assert.Equal(MissingValuePolicy.ForwardFill, options.MissingValues);
        rows[0].Load = float.NaN;
        var first = Assert.Throws<InvalidDataException>(() => ml.Forecasting.ForecastByRecurrent(options).Fit(ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("row 0: column 'Load'", first.Message);
        Assert.Contains("no earlier value", first.Message);
    }

    [Fact]
    public void CalibrateInterval_CoversTheLevelOnHeldOutRows_AndIsSaved()
    {
        var ml = new MLContext(seed: 1);
        var rows = Events(1600, seed: 9);
        var train = ml.Data.LoadFromEnumerable(rows.Take(1200));
        var test = ml.Data.LoadFromEnumerable(rows.Skip(1200 - L));
        var options = Options("Event");
        options.ConfidenceLevel = 0.8;
        options.Epochs = 6;
        using var raw = ml.Forecasting.ForecastByRecurrent(options).Fit(train);
        options.CalibrateInterval = true;
        using var calibrated = ml.Forecasting.ForecastByRecurrent(options).Fit(train);
        double before = raw.Evaluate(test).Coverage, after = calibrated.Evaluate(test).Coverage;
        output.WriteLine($"held-out coverage at level 0.8: {before:F3} uncalibrated, {after:F3} calibrated (scale {calibrated.Model.IntervalScale:F3})");
        Assert.Equal(1, raw.Model.IntervalScale);
        Assert.NotEqual(1, calibrated.Model.IntervalScale);
        Assert.InRange(after, 0.74, 0.86);
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "calibrated.zip");
            ml.Model.SaveRnnModel(calibrated, train.Schema, path);
            using var loaded = (RecurrentForecasterTransformer)new MLContext(seed: 2).Model.LoadRnnModel(path, out _);
            Assert.Equal(calibrated.Model.IntervalScale, loaded.Model.IntervalScale);
            Assert.Equal(after, loaded.Evaluate(test).Coverage);
        });
    }

    [Fact]
    public void Options_CovariateNamingATarget_OrTwice_IsRefused()
    {
        var ml = new MLContext(seed: 1);
        var options = Options("Load");
        Assert.Contains("other than the targets", Assert.Throws<ArgumentException>(() => ml.Forecasting.ForecastByRecurrent(options)).Message);
        options.KnownCovariateColumns = ["Event", "Event"];
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => ml.Forecasting.ForecastByRecurrent(options)).Message);
    }
}
