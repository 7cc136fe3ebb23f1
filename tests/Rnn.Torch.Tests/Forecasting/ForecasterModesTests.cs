using RnnMl.Text.Series;
using RnnMl.Torch.Forecasting;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Tests.Training;
using RnnMl.Torch.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Forecasting;

/// <summary>The joint channel mode, known covariates and recursive output of <see cref="SegmentRecurrentForecaster"/>.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class ForecasterModesTests(ITestOutputHelper output) : OneTorchThread
{
    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    /// <summary>Trains on rows [0, 0.6·T), validates on the next 20 %, returns the held-out MSE per channel on the last 20 %.</summary>
    private double[] TrainAndScore(SegmentRecurrentForecaster model, TimeSeries series, TimeSeries? covariates, int epochs, double lr)
    {
        int l = model.Lookback, h = model.Horizon, n = series.Length;
        var split = LongHorizonSplit.Create(n * 6 / 10, n * 2 / 10, n - n * 8 / 10);
        using var task = new ForecastingTrainingTask(model, split.Train(series, l, h), split.Validation(series, l, h), batchSize: 32,
            trainCovariates: covariates, validationCovariates: covariates);
        var result = Trainer.Create(new TrainerOptions
        {
            Epochs = epochs, LearningRate = lr, Seed = 1, SelectionMetric = "mse", SelectionMetricHigherIsBetter = false, RestoreBestWeights = true,
        }).Fit(task);
        output.WriteLine(string.Join("; ", result.History.Select(e => $"{e.Epoch + 1}: {e.ValidationMetrics["mse"]:F4}")));
        var test = split.Test(series, l, h);
        int c = series.Channels, count = test.Count;
        var xs = new float[count * l * c];
        var ys = new double[count * h * c];
        var ks = covariates is null ? null : new float[count * (l + h) * covariates.Channels];
        for (int i = 0; i < count; i++)
        {
            var input = test.Input(i);
            for (int j = 0; j < input.Length; j++) xs[i * l * c + j] = (float)input[j];
            test.Target(i).ToArray().CopyTo(ys, i * h * c);
            if (ks is not null)
            {
                var rows = covariates!.Rows(test.FirstStart + i, l + h);
                for (int j = 0; j < rows.Length; j++) ks[i * rows.Length + j] = (float)rows[j];
            }
        }
        model.eval();
        using var noGrad = no_grad();
        using var x = tensor(xs).reshape(count, l, c);
        using var k = ks is null ? null : tensor(ks).reshape(count, l + h, covariates!.Channels);
        using var y = model.Forecast(x, k);
        var p = y.data<float>().ToArray();
        var mse = new double[c];
        for (int e = 0; e < p.Length; e++) mse[e % c] += (p[e] - ys[e]) * (p[e] - ys[e]) / (count * h);
        return mse;
    }

    [Fact]
    public void JointMode_UsesTheOtherChannel_WhereIndependentCannot()
    {
        // Channel a is white noise; channel b is a delayed by 4 steps, so b's next 4 steps are a's last 4 inputs.
        const int l = 16, h = 4, w = 4, length = 2400;
        var random = new Random(5);
        var a = Enumerable.Range(0, length).Select(_ => Gaussian(random)).ToArray();
        var values = new double[length * 2];
        for (int t = 0; t < length; t++) (values[2 * t], values[2 * t + 1]) = (a[t], t >= 4 ? a[t - 4] : 0);
        var series = TimeSeries.FromRows(values, ["a", "b"]);
        manual_seed(3);
        using var joint = SegmentRecurrentForecaster.Create(l, h, w, 32, channelMode: ForecasterChannelMode.Joint, channels: 2);
        var jointMse = TrainAndScore(joint, series, null, epochs: 12, lr: 0.005);
        manual_seed(3);
        using var independent = SegmentRecurrentForecaster.Create(l, h, w, 32);
        var independentMse = TrainAndScore(independent, series, null, epochs: 12, lr: 0.005);
        output.WriteLine($"held-out mse of b: joint {jointMse[1]:F4}, independent {independentMse[1]:F4}; of a: {jointMse[0]:F4}, {independentMse[0]:F4}");
        Assert.True(independentMse[1] > 0.8, $"independent mode cannot forecast b from b alone, got {independentMse[1]}");
        Assert.True(jointMse[1] < 0.25 * independentMse[1], $"joint {jointMse[1]} vs independent {independentMse[1]} on channel b");
    }

    [Fact]
    public void JointMode_ForecastOfAChannelDependsOnTheOthers_AndCIsFixed()
    {
        manual_seed(7);
        using var model = SegmentRecurrentForecaster.Create(14, 7, 7, 8, channelMode: ForecasterChannelMode.Joint, channels: 2);
        model.eval();
        using var a = randn(3, 14, 2);
        using var b = a.clone();
        using (no_grad()) b[.., .., 1] = randn(3, 14) * 5;
        using var ya = model.forward(a);
        using var yb = model.forward(b);
        using var ya0 = ya[.., .., 0].contiguous();
        using var yb0 = yb[.., .., 0].contiguous();
        Assert.False(ya0.allclose(yb0, rtol: 0, atol: 1e-4));
        using var three = randn(3, 14, 3);
        var e = Assert.Throws<ArgumentException>(() => model.forward(three));
        Assert.Contains("C = 3", e.Message);
        Assert.Contains("C = 2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SegmentRecurrentForecaster.Create(14, 7, 7, 8, channelMode: ForecasterChannelMode.Joint));
    }

    [Fact]
    public void KnownCovariate_ForecastsSpikesTheLookbackCannotSee()
    {
        // Spikes of height 3 at random (non-periodic) steps, announced by a known covariate; small noise otherwise.
        const int l = 24, h = 8, w = 4, length = 2400;
        var random = new Random(11);
        var events = Enumerable.Range(0, length).Select(_ => random.NextDouble() < 0.08 ? 1.0 : 0.0).ToArray();
        var series = TimeSeries.FromRows(events.Select(e => 3 * e + 0.2 * Gaussian(random)).ToArray(), ["y"]);
        var covariates = TimeSeries.FromRows(events, ["event"]);
        manual_seed(4);
        using var with = SegmentRecurrentForecaster.Create(l, h, w, 24, covariates: 1);
        var withMse = TrainAndScore(with, series, covariates, epochs: 15, lr: 0.01)[0];
        manual_seed(4);
        using var without = SegmentRecurrentForecaster.Create(l, h, w, 24);
        var withoutMse = TrainAndScore(without, series, null, epochs: 15, lr: 0.01)[0];
        output.WriteLine($"held-out mse: with the covariate {withMse:F4}, without {withoutMse:F4}");
        Assert.True(withoutMse > 0.5, $"without the covariate the spikes are unpredictable, got {withoutMse}");
        Assert.True(withMse < 0.2 * withoutMse, $"with {withMse} vs without {withoutMse}");
    }

    [Fact]
    public void Covariates_AreCheckedOneDimensionAtATime()
    {
        using var model = SegmentRecurrentForecaster.Create(14, 7, 7, 8, covariates: 2);
        using var x = zeros(3, 14, 1);
        Assert.Throws<ArgumentException>(() => model.forward(x));
        foreach (var shape in new long[][] { [7, 21, 2], [3, 7, 2], [3, 21, 7] })
        {
            using var k = zeros(shape);
            var e = Assert.Throws<ArgumentException>(() => model.Forecast(x, k));
            Assert.Contains("(3, 21, 2)", e.Message);
        }
        using var good = zeros(3, 21, 2);
        using var y = model.Forecast(x, good);
        Assert.Equal(new long[] { 3, 7, 1 }, y.shape);
    }

    [Theory]
    [InlineData(1, 1, 0, false)]
    [InlineData(4, 4, 2, true)]
    public void Recursive_WithOneSegment_EqualsDirect(int horizon, int segment, int covariates, bool skip)
    {
        manual_seed(9);
        using var direct = SegmentRecurrentForecaster.Create(8, horizon, segment, 6, quantiles: [0.1, 0.5, 0.9], linearSkip: skip, covariates: covariates);
        using var recursive = SegmentRecurrentForecaster.Create(8, horizon, segment, 6, quantiles: [0.1, 0.5, 0.9], linearSkip: skip, covariates: covariates,
            outputMode: ForecastOutputMode.Recursive);
        using (no_grad())
        {
            if (skip) direct.Skip!.weight!.normal_();
            recursive.load_state_dict(direct.state_dict());
        }
        direct.eval();
        recursive.eval();
        using var x = randn(5, 8, 3);
        using var k = covariates == 0 ? null : randn(5, 8 + horizon, covariates);
        var (pd, qd) = direct.ForecastWithQuantiles(x, k);
        var (pr, qr) = recursive.ForecastWithQuantiles(x, k);
        Assert.True(pd.allclose(pr, rtol: 0, atol: 1e-6));
        Assert.True(qd.allclose(qr, rtol: 0, atol: 1e-6));
        pd.Dispose(); qd.Dispose(); pr.Dispose(); qr.Dispose();
    }

    [Fact]
    public void Recursive_FeedsItsForecastBack_AndLearnsASine()
    {
        const int l = 24, h = 12, w = 4, length = 1500;
        var random = new Random(2);
        var series = TimeSeries.FromRows(Enumerable.Range(0, length).Select(t => Math.Sin(2 * Math.PI * t / 17) + 0.05 * Gaussian(random)).ToArray(), ["s"]);
        manual_seed(5);
        using var model = SegmentRecurrentForecaster.Create(l, h, w, 32, outputMode: ForecastOutputMode.Recursive);
        // Without feedback every segment would come from the same hidden state through the same head (no covariates), so
        // all segments would be equal; fed back, the second segment differs from the first.
        model.eval();
        using (var x = randn(2, l, 1))
        using (var y = model.forward(x))
        using (var first = y[.., ..w, ..].contiguous())
        using (var second = y[.., w..(2 * w), ..].contiguous())
            Assert.False(first.allclose(second, rtol: 0, atol: 1e-5));
        model.train();
        double mse = TrainAndScore(model, series, null, epochs: 10, lr: 0.005)[0];
        var test = LongHorizonSplit.Create(900, 300, 300).Test(series, l, h);
        double repeat = ForecastScore.Evaluate(RepeatLastForecaster.Create(), test).Mse;
        output.WriteLine($"recursive sine: held-out mse {mse:F4}, repeat-last {repeat:F4}");
        Assert.True(mse < 0.05 * repeat, $"recursive mse {mse} vs repeat-last {repeat}");
    }
}
