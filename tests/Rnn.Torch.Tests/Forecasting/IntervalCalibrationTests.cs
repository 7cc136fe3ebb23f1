using RnnMl.Text.Series;
using RnnMl.Torch.Forecasting;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Tests.Training;
using RnnMl.Torch.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Forecasting;

/// <summary><see cref="IntervalCalibration"/> and <see cref="ForecastingTrainingTask.CalibrateInterval"/>.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class IntervalCalibrationTests(ITestOutputHelper output) : OneTorchThread
{
    [Fact]
    public void CoveringFactors_AndScale_EqualHandComputedValues()
    {
        // Point 0, bounds −1 and 2: y = 1 needs 1/2, y = −3 needs 3, y = 0 needs 0, y = 4 needs 2.
        using var point = zeros(4);
        using var q = tensor(new float[] { -1, 0, 2, -1, 0, 2, -1, 0, 2, -1, 0, 2 }).reshape(4, 3);
        using var y = tensor(new float[] { 1, -3, 0, 4 });
        Assert.Equal(new[] { 0.5, 3, 0, 2 }, IntervalCalibration.CoveringFactors(point, q, y));
        // n = 4, c = 0.5: rank ⌈5·0.5⌉ = 3 → sorted 0, 0.5, 2, 3 → 2; c = 0.9: rank ⌈4.5⌉ = 5 > n → the largest, 3.
        Assert.Equal(2, IntervalCalibration.Scale([0.5, 3, 0, 2], 0.5));
        Assert.Equal(3, IntervalCalibration.Scale([0.5, 3, 0, 2], 0.9));
        using var flat = zeros(1, 3);
        using var one = ones(1);
        Assert.Equal(double.PositiveInfinity, IntervalCalibration.CoveringFactors(one * 0, flat, one)[0]);
        Assert.Throws<ArgumentException>(() => IntervalCalibration.CoveringFactors(point, q, zeros(3)));
    }

    [Fact]
    public void CalibrateInterval_MakesTheValidationCoverageTheLevel_AndTheModelAppliesTheScale()
    {
        const int l = 24, h = 6, w = 6;
        var random = new Random(4);
        var series = TimeSeries.FromRows(Enumerable.Range(0, 1500).Select(t => Math.Sin(2 * Math.PI * t / 24) + 0.3 * (random.NextDouble() * 2 - 1)).ToArray(), ["s"]);
        var split = LongHorizonSplit.Create(900, 300, 300);
        manual_seed(3);
        using var model = SegmentRecurrentForecaster.Create(l, h, w, 16, quantiles: [0.25, 0.5, 0.75]);   // a 50 % interval
        using var task = new ForecastingTrainingTask(model, split.Train(series, l, h), split.Validation(series, l, h), batchSize: 32);
        Trainer.Create(new TrainerOptions { Epochs = 3, LearningRate = 0.01, Seed = 1, SelectionMetric = "mse", SelectionMetricHigherIsBetter = false }).Fit(task);
        model.eval();
        double Coverage()
        {
            double inside = 0;
            using (no_grad())
                foreach (var batch in task.ValidationBatches())
                {
                    var result = task.Evaluate(batch, training: false);
                    result.Loss.Dispose();
                    inside += result.MetricSums!["coverage"];
                }
            return inside;
        }
        double count = split.Validation(series, l, h).Count * h;
        double before = Coverage() / count;
        using var x = randn(2, l, 1);
        var (p0, q0) = model.ForecastWithQuantiles(x);
        double scale = task.CalibrateInterval(0.9);
        double after = Coverage() / count;
        output.WriteLine($"validation coverage {before:F3} → {after:F3} with scale {scale:F3}");
        Assert.InRange(after, 0.9, 0.91);
        Assert.True(scale > 1, $"a 50 % interval must widen to cover 90 %, got scale {scale}");
        var (p1, q1) = model.ForecastWithQuantiles(x);
        using var expected = p0.unsqueeze(-1) + scale * (q0 - p0.unsqueeze(-1));
        Assert.True(p1.allclose(p0, rtol: 0, atol: 1e-6));
        Assert.True(q1.allclose(expected, rtol: 0, atol: 1e-5));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.IntervalScale = 0);
        p0.Dispose(); q0.Dispose(); p1.Dispose(); q1.Dispose();
    }
}
