using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.Forecasting;
using RnnMl.Torch.Training;
using Xunit.Abstractions;

namespace RnnMl.MLNet.Tests;

/// <summary>The contract of <c>ForecastByRecurrent</c>: its columns, bad schemas and rows, learning a seasonal series better
/// than repeat-last on a tail never trained on, interval coverage, channel independence, the time limit, save/load in a
/// fresh process, disposal.</summary>
public class RecurrentForecasterTests : IClassFixture<ForecasterFixture>
{
    private const int L = 48, H = 12;
    private static readonly string[] Outputs = ["AForecast", "ALowerBound", "AUpperBound", "BForecast", "BLowerBound", "BUpperBound"];
    private readonly ForecasterFixture fixture;
    private readonly ITestOutputHelper output;

    public RecurrentForecasterTests(ForecasterFixture fixture, ITestOutputHelper output) => (this.fixture, this.output) = (fixture, output);

    private sealed class DoubleRow
    {
        public double A { get; set; }
        public float B { get; set; }
    }

    private static float[][] History(IEnumerable<ToySeries.Row> rows) => rows.Select(r => new[] { r.A, r.B }).ToArray();

    [Fact]
    public void OutputSchema_AddsAForecastAndTwoBoundsOfHorizonLengthPerTarget()
    {
        var schema = fixture.Model.GetOutputSchema(fixture.Test.Schema);
        Assert.Equal(["A", "B", .. Outputs], schema.Select(c => c.Name));
        foreach (var name in Outputs)
            Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, H), schema[name].Type);
        var shape = fixture.Ml.Forecasting.ForecastByRecurrent(ToySeries.Options()).GetOutputSchema(RecurrentTextClassifierTrainerTests.ShapeOf<ToySeries.Row>(fixture.Ml));
        foreach (var name in Outputs)
        {
            var column = shape.Single(c => c.Name == name);
            Assert.Equal(SchemaShape.Column.VectorKind.Vector, column.Kind);
            Assert.Equal(NumberDataViewType.Single, column.ItemType);
        }
    }

    [Fact]
    public void NonSingleTarget_FailsNamingExpectedAndActualTypes_InFitSchemaAndTransform()
    {
        var data = fixture.Ml.Data.LoadFromEnumerable(Enumerable.Range(0, 100).Select(i => new DoubleRow { A = i, B = i }));
        var estimator = fixture.Ml.Forecasting.ForecastByRecurrent(ToySeries.Options());
        var fit = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        Assert.Contains("column 'A': expected Single, got Double", fit.Message);
        var shape = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(RecurrentTextClassifierTrainerTests.ShapeOf<DoubleRow>(fixture.Ml)));
        Assert.Contains("column 'A': expected Single, got Double", shape.Message);
        var transform = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Model.Transform(data));
        Assert.Contains("column 'A': expected Single, got Double", transform.Message);
    }

    [Fact]
    public void FewerRowsThanLookbackPlusHorizon_FailsStatingBothNumbers()
    {
        var data = fixture.Ml.Data.LoadFromEnumerable(ToySeries.Generate(59, seed: 1));
        var e = Assert.Throws<ArgumentException>(() => fixture.Ml.Forecasting.ForecastByRecurrent(ToySeries.Options()).Fit(data));
        Assert.Contains("59 training rows", e.Message);
        Assert.Contains("48 + 12 = 60", e.Message);
        // After holding out the last 20 %, 70 rows leave 56 for training: also too few, and said so.
        var held = Assert.Throws<ArgumentException>(() => fixture.Ml.Forecasting.ForecastByRecurrent(ToySeries.Options()).Fit(fixture.Ml.Data.LoadFromEnumerable(ToySeries.Generate(70, seed: 1))));
        Assert.Contains("56 training rows", held.Message);
        Assert.Contains("holding out the last 14 rows", held.Message);
    }

    [Fact]
    public void ValidationData_IsReadAsItsOwnSeries_AndTooShortFailsStatingBothNumbers()
    {
        var options = ToySeries.Options();
        options.Epochs = 2;
        var estimator = fixture.Ml.Forecasting.ForecastByRecurrent(options);
        var shortValid = fixture.Ml.Data.LoadFromEnumerable(fixture.AllRows.Skip(1100).Take(30));
        var e = Assert.Throws<ArgumentException>(() => estimator.Fit(fixture.Train, shortValid));
        Assert.Equal("validationData", e.ParamName);
        Assert.Contains("30 validation rows are fewer than lookback + horizon = 48 + 12 = 60", e.Message);
        using var model = estimator.Fit(fixture.Train, fixture.Test);
        Assert.All(model.TrainingResult!.History, epoch => Assert.True(double.IsFinite(epoch.ValidationMetrics["mse"])));
    }

    [Fact]
    public void ConstantTarget_TrainsWithoutDivisionByZero_AndIsForecastAsItsConstant()
    {
        var rows = fixture.AllRows.Take(400).Select(r => new ToySeries.Row { A = r.A, B = 5 }).ToList();
        var options = ToySeries.Options();
        options.Epochs = 3;
        using var model = fixture.Ml.Forecasting.ForecastByRecurrent(options).Fit(fixture.Ml.Data.LoadFromEnumerable(rows));
        var f = model.Forecast(History(rows.TakeLast(L)));
        // Subtract-last normalisation: a constant window normalises to zeros, and the forecast is the constant plus what
        // the head gives for zeros (σ = 1 for a constant channel), small after training toward zero error.
        Assert.All(f.Forecast[1], v => Assert.InRange(v, 4, 6));
        Assert.All(f.Forecast[0], v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData(37, "B", float.NaN)]
    [InlineData(5, "A", float.PositiveInfinity)]
    public void NonFiniteValue_FailsNamingTheFirstRowAndColumn(int row, string column, float value)
    {
        var rows = ToySeries.Generate(200, seed: 1);
        if (column == "A") rows[row].A = value; else rows[row].B = value;
        rows[row + 10].A = float.NaN;
        var e = Assert.Throws<InvalidDataException>(() => fixture.Ml.Forecasting.ForecastByRecurrent(ToySeries.Options()).Fit(fixture.Ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains($"training row {row}: column '{column}'", e.Message);
    }

    [Fact]
    public void OnATailNeverTrainedOn_BeatsRepeatLastByHalf_AndTheIntervalCoversSanely()
    {
        var score = fixture.Model.Evaluate(fixture.Test);
        output.WriteLine(FormattableString.Invariant($"mse {score.Mse:F4} (A {score.MsePerTarget[0]:F4}, B {score.MsePerTarget[1]:F4}), repeat-last {score.RepeatLastMse:F4}, coverage {score.Coverage:F3}, epochs {fixture.Model.TrainingResult!.History.Count}, stop {fixture.Model.TrainingResult.StopReason}"));
        Assert.Equal(fixture.TestRows.Count - L - H + 1, score.Windows);
        Assert.Equal(2, score.MsePerTarget.Count);
        Assert.Equal(H, score.MsePerStep.Count);
        // An untrained model forecasts about the last value (subtract-last normalisation), i.e. repeat-last.
        Assert.True(score.Mse < 0.5 * score.RepeatLastMse, $"mse {score.Mse} vs repeat-last {score.RepeatLastMse}");
        // No forecast beats the noise: A's MSE is at least its noise variance, within sampling error.
        Assert.InRange(score.MsePerTarget[0], 0.7 * ToySeries.NoiseA * ToySeries.NoiseA, 4 * ToySeries.NoiseA * ToySeries.NoiseA);
        Assert.InRange(score.Coverage, 0.75, 0.99);
        Assert.All(score.CoveragePerTarget, c => Assert.InRange(c, 0.7, 0.995));
        // Trained with the pinball loss, the bounds are ordered around the point forecast (nothing forces it by construction).
        foreach (int start in new[] { 0, 100, 250 })
        {
            var f = fixture.Model.Forecast(History(fixture.TestRows.Skip(start).Take(L)));
            for (int c = 0; c < 2; c++)
                for (int s = 0; s < H; s++)
                    Assert.True(f.LowerBound[c][s] <= f.Forecast[c][s] && f.Forecast[c][s] <= f.UpperBound[c][s], $"window {start}, target {c}, step {s}");
        }
        // The per-step and per-target figures average back to the overall ones.
        Assert.Equal(score.Mse, score.MsePerStep.Average(), 6);
        Assert.Equal(score.Mae, score.MaePerTarget.Average(), 6);
    }

    [Fact]
    public void Evaluate_EqualsTheMetricsComputedByHandFromForecast()
    {
        var rows = fixture.TestRows.Take(L + H + 9).ToList();
        var score = fixture.Model.Evaluate(fixture.Ml.Data.LoadFromEnumerable(rows));
        var series = History(rows);
        int n = rows.Count - L - H + 1;
        var se = new double[2, H];
        var ae = new double[2, H];
        var sape = new double[2, H];
        double inside = 0;
        for (int w = 0; w < n; w++)
        {
            var f = fixture.Model.Forecast(series.Skip(w).Take(L).ToArray());
            for (int c = 0; c < 2; c++)
                for (int s = 0; s < H; s++)
                {
                    double y = series[w + L + s][c], d = f.Forecast[c][s] - y;
                    (se[c, s], ae[c, s]) = (se[c, s] + d * d, ae[c, s] + Math.Abs(d));
                    sape[c, s] += 200 * Math.Abs(d) / (Math.Abs(f.Forecast[c][s]) + Math.Abs(y));
                    if (y >= f.LowerBound[c][s] && y <= f.UpperBound[c][s]) inside++;
                }
        }
        double Mean(double[,] a, int? c, int? s) =>
            Enumerable.Range(0, 2).Where(i => (c ?? i) == i).SelectMany(i => Enumerable.Range(0, H).Where(j => (s ?? j) == j).Select(j => a[i, j])).Average() / n;
        var naive = Enumerable.Range(0, 2).Select(c => Enumerable.Range(1, rows.Count - 1).Average(t => Math.Abs((double)series[t][c] - series[t - 1][c]))).ToArray();
        Assert.Equal(n, score.Windows);
        Assert.Equal(Mean(se, null, null), score.Mse, 4);
        Assert.Equal(Mean(ae, null, null), score.Mae, 4);
        Assert.Equal(Mean(sape, null, null), score.Smape, 4);
        Assert.Equal(inside / (n * H * 2), score.Coverage, 6);
        Assert.Equal(Mean(se, 1, null), score.MsePerTarget[1], 4);
        Assert.Equal(Mean(ae, null, 11), score.MaePerStep[11], 4);
        Assert.Equal(Mean(sape, 0, null), score.SmapePerTarget[0], 4);
        Assert.Equal(Mean(ae, 0, null) / naive[0], score.MasePerTarget[0], 4);
        Assert.Equal((Mean(ae, 0, 3) / naive[0] + Mean(ae, 1, 3) / naive[1]) / 2, score.MasePerStep[3], 4);
        Assert.Equal(score.MasePerTarget.Average(), score.Mase, 9);
        var repeat = Enumerable.Range(0, n).Average(w => Enumerable.Range(0, H).Sum(s => Enumerable.Range(0, 2).Sum(c => Math.Pow(series[w + L - 1][c] - series[w + L + s][c], 2))) / (2 * H));
        Assert.Equal(repeat, score.RepeatLastMse, 4);
    }

    [Fact]
    public void Transform_GivesNaNBeforeLRows_AndThenTheForecastOfTheLRowsEndingAtEachRow()
    {
        var rows = fixture.TestRows.Take(100).ToList();
        var scored = fixture.Model.Transform(fixture.Ml.Data.LoadFromEnumerable(rows));
        var forecasts = Columns.ReadVectors(scored, "BForecast");
        var upper = Columns.ReadVectors(scored, "AUpperBound");
        Assert.Equal(100, forecasts.Length);
        for (int t = 0; t < L - 1; t++) Assert.All(forecasts[t], v => Assert.True(float.IsNaN(v)));
        foreach (int t in new[] { L - 1, L, L + 6, 99 })
        {
            var direct = fixture.Model.Forecast(History(rows.Take(t + 1)));
            Assert.Equal(H, forecasts[t].Length);
            for (int s = 0; s < H; s++)
            {
                Assert.Equal(direct.Forecast[1][s], forecasts[t][s], 3);
                Assert.Equal(direct.UpperBound[0][s], upper[t][s], 4);
            }
        }
    }

    private sealed class ForecastOut
    {
        [VectorType(H)] public float[] AForecast { get; set; } = [];
    }

    [Fact]
    public void PredictionEngine_KeepsAWindowOfTheRowsItWasGiven()
    {
        var rows = fixture.TestRows.Take(L + 3).ToList();
        // Not disposed: disposing a PredictionEngine disposes the transformer it was made from (ML.NET's behaviour).
        var engine = fixture.Ml.Model.CreatePredictionEngine<ToySeries.Row, ForecastOut>(fixture.Model);
        var predictions = rows.Select(r => engine.Predict(r).AForecast.ToArray()).ToList();
        Assert.All(predictions.Take(L - 1), p => Assert.True(float.IsNaN(p[0])));
        for (int t = L - 1; t < rows.Count; t++)
        {
            var direct = fixture.Model.Forecast(History(rows.Take(t + 1)));
            Assert.Equal(direct.Forecast[0][5], predictions[t][5], 4);
        }
    }

    [Fact]
    public void Transform_AfterANaNRow_GivesNaNUntilLFiniteRowsFollow()
    {
        var rows = fixture.TestRows.Take(120).Select(r => new ToySeries.Row { A = r.A, B = r.B }).ToList();
        rows[60].A = float.NaN;
        var forecasts = Columns.ReadVectors(fixture.Model.Transform(fixture.Ml.Data.LoadFromEnumerable(rows)), "AForecast");
        Assert.True(float.IsFinite(forecasts[59][0]));
        for (int t = 60; t < 60 + L; t++) Assert.True(float.IsNaN(forecasts[t][0]), $"row {t}");
        Assert.True(float.IsFinite(forecasts[60 + L][0]));
    }

    [Fact]
    public void Forecast_OfAChannel_IsUnchangedWhenAnotherChannelChanges()
    {
        var history = History(fixture.TestRows.Take(L));
        var changed = history.Select((r, t) => new[] { r[0], r[1] * 0.5f + 17 * MathF.Sin(t) }).ToArray();
        var before = fixture.Model.Forecast(history);
        var after = fixture.Model.Forecast(changed);
        for (int s = 0; s < H; s++)
        {
            Assert.Equal(before.Forecast[0][s], after.Forecast[0][s], 5);
            Assert.Equal(before.LowerBound[0][s], after.LowerBound[0][s], 5);
        }
        Assert.True(Enumerable.Range(0, H).Max(s => Math.Abs(before.Forecast[1][s] - after.Forecast[1][s])) > 1, "B's own forecast must change");
        var few = Assert.Throws<ArgumentException>(() => fixture.Model.Forecast(history.Take(47).ToArray()));
        Assert.Contains("47 rows, fewer than the lookback 48", few.Message);
        history[40] = [float.NaN, 1];
        Assert.Contains("row 40, target 'A'", Assert.Throws<ArgumentException>(() => fixture.Model.Forecast(history)).Message);
    }

    [Fact]
    public void MaxTrainingTime_StopsTrainingLongBeforeItsEpochs()
    {
        var options = ToySeries.Options();
        options.Epochs = 100_000;
        options.EarlyStoppingPatience = null;
        options.MaxTrainingTime = TimeSpan.FromSeconds(2);
        var clock = Stopwatch.StartNew();
        using var model = fixture.Ml.Forecasting.ForecastByRecurrent(options).Fit(fixture.Train);
        Assert.Equal(TrainingStopReason.TimeLimitReached, model.TrainingResult!.StopReason);
        // The timer may fire a few milliseconds early; 100,000 epochs would take hours.
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.9, 60);
        Assert.True(float.IsFinite(model.Forecast(History(fixture.TestRows.Take(L))).Forecast[0][0]));
    }

    [Fact]
    public void SaveThenLoad_GivesIdenticalForecasts_AlsoInAFreshProcess()
    {
        var rows = fixture.TestRows.Take(70).ToList();
        var data = fixture.Ml.Data.LoadFromEnumerable(rows);
        string[] Lines(IDataView scored)
        {
            var columns = Outputs.Select(o => Columns.ReadVectors(scored, o)).ToArray();
            return Enumerable.Range(0, rows.Count).Select(t => string.Join(" | ",
                columns.Select(c => string.Join(" ", c[t].Select(x => x.ToString("R", CultureInfo.InvariantCulture)))))).ToArray();
        }
        var expected = Lines(fixture.Model.Transform(data));
        RnnModelOperationsTests.WithTempFolder(folder =>
        {
            var path = Path.Combine(folder, "forecaster.zip");
            fixture.Ml.Model.SaveRnnModel(fixture.Model, fixture.Train.Schema, path);
            var loaded = new MLContext(seed: 2).Model.LoadRnnModel(path, out _);
            Assert.Equal(expected, Lines(loaded.Transform(data)));
            var forecaster = (RecurrentForecasterTransformer)loaded;
            Assert.Equal(["A", "B"], forecaster.TargetColumnNames);
            Assert.Equal((L, H, 0.9), (forecaster.Lookback, forecaster.Horizon, forecaster.ConfidenceLevel));
            forecaster.Dispose();

            var csv = Path.Combine(folder, "series.csv");
            File.WriteAllLines(csv, rows.Select(r => r.A.ToString("R", CultureInfo.InvariantCulture) + "," + r.B.ToString("R", CultureInfo.InvariantCulture)).Prepend("A,B"), new UTF8Encoding(false));
            Assert.Equal(expected, RnnModelOperationsTests.RunReloadCheck(path, csv, "--forecast"));
        });
    }

    [Fact]
    public void ArgumentsOverload_AsInTheReadme_TrainsTransformsForecastsAndSaves()
    {
        var ml = new MLContext(seed: 1);
        var history = ml.Data.LoadFromEnumerable(fixture.AllRows.Take(300));
        using var forecaster = ml.Forecasting.ForecastByRecurrent(targetColumnNames: ["A", "B"], lookback: 48, horizon: 12, segmentLength: 24, epochs: 1).Fit(history);
        var scored = forecaster.Transform(history);
        Assert.Equal(Outputs, scored.Schema.Skip(2).Select(c => c.Name));
        var next = forecaster.Forecast(History(fixture.AllRows.Take(300)));
        Assert.Equal((2, 12), (next.Forecast.Length, next.UpperBound[1].Length));
        Assert.Equal(0.9, forecaster.ConfidenceLevel);
        RnnModelOperationsTests.WithTempFolder(folder => ml.Model.SaveRnnModel(forecaster, history.Schema, Path.Combine(folder, "forecaster.zip")));
    }

    [Fact]
    public void Options_SegmentNotDividingLookback_IsRefusedNamingIt()
    {
        var options = ToySeries.Options();
        options.SegmentLength = 7;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Ml.Forecasting.ForecastByRecurrent(options));
        Assert.Equal(nameof(RecurrentForecasterOptions.SegmentLength), e.ParamName);
        Assert.Contains("divide lookback 48, got 7", e.Message);
    }

    [Fact]
    public void Dispose_ThenEveryMemberThrowsObjectDisposedException()
    {
        var options = ToySeries.Options();
        options.Epochs = 1;
        var model = fixture.Ml.Forecasting.ForecastByRecurrent(options).Fit(fixture.Train);
        model.Dispose();
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Horizon);
        Assert.Throws<ObjectDisposedException>(() => model.Model);
        Assert.Throws<ObjectDisposedException>(() => model.Transform(fixture.Test));
        Assert.Throws<ObjectDisposedException>(() => model.Forecast(History(fixture.TestRows.Take(L))));
        Assert.Throws<ObjectDisposedException>(() => model.Evaluate(fixture.Test));
    }
}
