using RnnMl.Text.Series;
using RnnMl.Torch.Forecasting;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Tests.Training;
using RnnMl.Torch.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Forecasting;

/// <summary><see cref="ForecastingTrainingTask"/> with <see cref="Trainer"/>, and the quantile head of <see cref="SegmentRecurrentForecaster"/>.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class ForecastingTrainingTaskTests(ITestOutputHelper output) : OneTorchThread
{
    private static readonly double[] Levels = [0.05, 0.5, 0.95];

    /// <summary>Two channels: a daily sine and a half-day cosine (period 24 and 12 steps) plus Gaussian noise of std σ.</summary>
    private static TimeSeries NoisySeries(int length, double sigma, int seed)
    {
        var random = new Random(seed);
        double Noise() => sigma * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var values = new double[length * 2];
        for (int t = 0; t < length; t++)
        {
            values[2 * t] = Math.Sin(2 * Math.PI * t / 24) + Noise();
            values[2 * t + 1] = 0.5 * Math.Cos(2 * Math.PI * t / 12) + Noise();
        }
        return TimeSeries.FromRows(values, ["a", "b"]);
    }

    private static (Tensor X, Tensor Y) Stack(SlidingWindows windows, IEnumerable<int> indices)
    {
        var list = indices.ToArray();
        int l = windows.Lookback, h = windows.Horizon, c = windows.Channels;
        var xs = list.SelectMany(i => windows.Input(i).ToArray()).Select(v => (float)v).ToArray();
        var ys = list.SelectMany(i => windows.Target(i).ToArray()).Select(v => (float)v).ToArray();
        return (tensor(xs).reshape(list.Length, l, c), tensor(ys).reshape(list.Length, h, c));
    }

    [Fact]
    public void Fit_OnNoisySeries_GivesOrderedQuantilesCoveringHeldOutWindows()
    {
        const int l = 48, h = 12, w = 12;
        const double sigma = 0.3;
        var series = NoisySeries(2000, sigma, seed: 3);
        var split = LongHorizonSplit.Create(1200, 300, 500);
        var train = split.Train(series, l, h);
        var valid = split.Validation(series, l, h);
        var test = split.Test(series, l, h);      // targets in rows [1500, 2000): never seen in training or validation
        manual_seed(2);
        using var model = SegmentRecurrentForecaster.Create(l, h, w, 24, quantiles: Levels);
        using var task = new ForecastingTrainingTask(model, train, valid, batchSize: 32);
        var result = Trainer.Create(new TrainerOptions
        {
            Epochs = 12, LearningRate = 0.01, Seed = 1, SelectionMetric = "mse", SelectionMetricHigherIsBetter = false,
        }).Fit(task);
        output.WriteLine(string.Join("; ", result.History.Select(e => $"epoch {e.Epoch + 1}: val mse {e.ValidationMetrics["mse"]:F4}, coverage {e.ValidationMetrics["coverage"]:F3}")));

        model.eval();
        var (x, y) = Stack(test, Enumerable.Range(0, test.Count));
        using (x)
        using (y)
        using (no_grad())
        {
            var (point, q) = model.ForecastWithQuantiles(x);
            using (point)
            using (q)
            {
                double ordered = (q[.., .., .., 0] <= q[.., .., .., 1]).logical_and(q[.., .., .., 1] <= q[.., .., .., 2]).to(ScalarType.Float64).mean().item<double>();
                double coverage = (y >= q[.., .., .., 0]).logical_and(y <= q[.., .., .., 2]).to(ScalarType.Float64).mean().item<double>();
                double mse = (point - y).square().mean().item<float>();
                double repeat = (x[.., ^1.., ..] - y).square().mean().item<float>();
                output.WriteLine($"held-out: ordered {ordered:P2}, coverage90 {coverage:P1}, mse {mse:F4} (noise variance {sigma * sigma:F2}, repeat-last {repeat:F3})");
                Assert.True(ordered >= 0.99, $"only {ordered:P2} of the held-out forecasts have q0.05 ≤ q0.5 ≤ q0.95");
                Assert.InRange(coverage, 0.82, 0.97);
                Assert.True(mse < 1.6 * sigma * sigma && mse < 0.3 * repeat, $"point mse {mse}, noise variance {sigma * sigma}, repeat-last {repeat}");
            }
        }
    }

    [Fact]
    public void Evaluate_MatchesTheModelOnWindowsBuiltByHand()
    {
        var series = NoisySeries(60, 0.1, seed: 1);
        var windows = SlidingWindows.Create(series, 14, 7);
        manual_seed(3);
        using var model = SegmentRecurrentForecaster.Create(14, 7, 7, 8, quantiles: Levels);
        using var task = new ForecastingTrainingTask(model, windows, windows, batchSize: 4, quantileWeight: 0.5);
        model.eval();
        int[] picked = [0, 5, 39];
        using var noGrad = no_grad();
        var result = task.Evaluate(new ForecastingTrainingTask.Batch(true, picked.Select(i => (long)i).ToArray()), training: false);
        var (x, y) = Stack(windows, picked);
        var (point, q) = model.ForecastWithQuantiles(x);
        double sse = (point - y).square().sum().item<float>();
        double sae = (point - y).abs().sum().item<float>();
        double inside = (y >= q[.., .., .., 0]).logical_and(y <= q[.., .., .., 2]).sum().item<long>();
        double loss = (nn.functional.mse_loss(point, y) + 0.5 * QuantileLoss.Pinball(q, y, Levels)).item<float>();
        Assert.Equal(3 * 7 * 2, result.Count);
        Assert.Equal(sse, result.MetricSums!["mse"], 4);
        Assert.Equal(sae, result.MetricSums["mae"], 4);
        Assert.Equal(inside, result.MetricSums["coverage"]);
        Assert.Equal(loss, result.Loss.item<float>(), 5);
        Assert.True(sse > 0);
    }

    [Fact]
    public void TrainingBatches_DrawWindowsPerEpochDistinctWindows()
    {
        var windows = SlidingWindows.Create(NoisySeries(100, 0.1, seed: 1), 14, 7);   // 80 windows
        using var model = SegmentRecurrentForecaster.Create(14, 7, 7, 8);
        using var all = new ForecastingTrainingTask(model, windows, null, batchSize: 7);
        var every = all.TrainingBatches(0, new Random(1)).ToList();
        Assert.Equal(Enumerable.Range(0, 80).Select(i => (long)i), every.SelectMany(b => b.Windows).Order());
        Assert.Equal(12, every.Count);                                                // ⌈80 / 7⌉
        Assert.Empty(all.ValidationBatches());
        using var some = new ForecastingTrainingTask(model, windows, null, batchSize: 7, windowsPerEpoch: 30);
        var drawn = some.TrainingBatches(0, new Random(1)).SelectMany(b => b.Windows).ToList();
        Assert.Equal(30, drawn.Count);
        Assert.Equal(30, drawn.Distinct().Count());
        Assert.NotEqual(drawn, some.TrainingBatches(1, new Random(2)).SelectMany(b => b.Windows).ToList());
    }

    [Fact]
    public void Constructor_RejectsWindowsAndArgumentsOneBadValueAtATime()
    {
        var series = NoisySeries(100, 0.1, seed: 1);
        var good = SlidingWindows.Create(series, 14, 7);
        using var model = SegmentRecurrentForecaster.Create(14, 7, 7, 8);

        var e = Assert.Throws<ArgumentException>(() => new ForecastingTrainingTask(model, SlidingWindows.Create(series, 7, 7), null, 8));
        Assert.Equal("train", e.ParamName);
        Assert.Contains("L = 7", e.Message);
        Assert.Contains("L = 14", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ForecastingTrainingTask(model, good, SlidingWindows.Create(series, 14, 14), 8));
        Assert.Equal("validation", e.ParamName);
        Assert.Contains("H = 14", e.Message);
        Assert.Contains("H = 7", e.Message);
        var seven = TimeSeries.FromRows(new double[100 * 7], Enumerable.Range(0, 7).Select(i => $"c{i}").ToArray());
        e = Assert.Throws<ArgumentException>(() => new ForecastingTrainingTask(model, good, SlidingWindows.Create(seven, 14, 7), 8));
        Assert.Contains("7 channels", e.Message);
        Assert.Contains("2", e.Message);

        Assert.Throws<ArgumentOutOfRangeException>("batchSize", () => new ForecastingTrainingTask(model, good, null, 0));
        Assert.Throws<ArgumentOutOfRangeException>("validationBatchSize", () => new ForecastingTrainingTask(model, good, null, 7, validationBatchSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>("windowsPerEpoch", () => new ForecastingTrainingTask(model, good, null, 7, windowsPerEpoch: 0));
        Assert.Throws<ArgumentOutOfRangeException>("quantileWeight", () => new ForecastingTrainingTask(model, good, null, 7, quantileWeight: -1));
        Assert.Throws<ArgumentOutOfRangeException>("quantileWeight", () => new ForecastingTrainingTask(model, good, null, 7, quantileWeight: double.NaN));
    }

    [Fact]
    public void Dispose_ThenUse_Throws()
    {
        var windows = SlidingWindows.Create(NoisySeries(40, 0.1, seed: 1), 14, 7);
        using var model = SegmentRecurrentForecaster.Create(14, 7, 7, 8);
        var task = new ForecastingTrainingTask(model, windows, windows, batchSize: 4);
        task.Dispose();
        task.Dispose();
        Assert.Throws<ObjectDisposedException>(() => task.TrainingBatches(0, new Random(1)));
        Assert.Throws<ObjectDisposedException>(() => task.ValidationBatches());
        Assert.Throws<ObjectDisposedException>(() => task.Evaluate(new ForecastingTrainingTask.Batch(false, [0]), training: false));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void QuantileHead_ShiftsWithTheInputAndKeepsChannelsIndependent(bool linearSkip)
    {
        manual_seed(7);
        using var model = SegmentRecurrentForecaster.Create(14, 7, 7, 8, quantiles: Levels, linearSkip: linearSkip);
        if (linearSkip)
            using (no_grad()) model.get_parameter("skip.weight")!.normal_();   // starts at zero; make it matter
        model.eval();
        using var scope = NewDisposeScope();
        var x = randn(3, 14, 2);
        var (p, q) = model.ForecastWithQuantiles(x);
        Assert.Equal(new long[] { 3, 7, 2, 3 }, q.shape);
        Assert.True(p.allclose(model.forward(x), rtol: 0, atol: 0));
        // Subtract-last normalisation: adding k to a window adds k to every output, point and quantiles.
        var (p2, q2) = model.ForecastWithQuantiles(x + 2.5);
        Assert.True((p2 - 2.5).allclose(p, rtol: 0, atol: 1e-5));
        Assert.True((q2 - 2.5).allclose(q, rtol: 0, atol: 1e-5));
        // Channel 0's outputs ignore channel 1; channel 1's change.
        var other = x.clone();
        other[.., .., 1] = randn(3, 14) * 5;
        var (_, q3) = model.ForecastWithQuantiles(other);
        Assert.True(q3[.., .., 0].allclose(q[.., .., 0], rtol: 0, atol: 1e-6));
        Assert.False(q3[.., .., 1].allclose(q[.., .., 1], rtol: 0, atol: 1e-3));
        Assert.Equal(Levels, model.Quantiles);
        Assert.Equal(linearSkip, model.LinearSkip);
    }

    [Fact]
    public void ForecastWithQuantiles_WithoutHead_Throws()
    {
        using var model = SegmentRecurrentForecaster.Create(14, 7, 7, 8);
        using var x = zeros(2, 14, 1);
        Assert.Throws<InvalidOperationException>(() => model.ForecastWithQuantiles(x));
        Assert.Empty(model.Quantiles);
    }
}
