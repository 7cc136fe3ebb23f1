using RnnMl.Torch.Forecasting;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace RnnMl.Torch.Tests.Forecasting;

[Collection(GlobalTorchRandomCollection.Name)]
public class ForecastModuleTests(ITestOutputHelper output) : OneTorchThread
{
    [Fact]
    public void InstanceNormalizationSubtractsLastValueAndUndoes()
    {
        // x (1, 3, 2): channel 0 = 1, 3, 5; channel 1 = 2, 6, 4 → offset (5, 4).
        using var x = tensor(new float[] { 1, 2, 3, 6, 5, 4 }).reshape(1, 3, 2);
        var norm = InstanceNormalization.Create();
        var (z, offset, scale) = norm.Normalize(x);
        Assert.Null(scale);
        Assert.Equal(new float[] { -4, -2, -2, 2, 0, 0 }, z.data<float>().ToArray());
        using var back = norm.Denormalize(z, offset, scale);
        Assert.Equal(x.data<float>().ToArray(), back.data<float>().ToArray());
        z.Dispose(); offset.Dispose();
    }

    [Fact]
    public void InstanceNormalizationWithStdDividesByPopulationStd()
    {
        using var x = tensor(new double[] { 1, 2, 3, 6, 5, 4 }).reshape(1, 3, 2);
        var norm = InstanceNormalization.Create(divideByStd: true, epsilon: 1e-5);
        var (z, offset, scale) = norm.Normalize(x);
        // channel 0: var = ((1−3)² + 0 + (5−3)²)/3 = 8/3; channel 1: mean 4, var = (4 + 4 + 0)/3 = 8/3.
        double s = Math.Sqrt(8.0 / 3 + 1e-5);
        var zs = z.data<double>().ToArray();
        Assert.Equal(-4 / s, zs[0], 12);
        Assert.Equal(2 / s, zs[3], 12);
        using var back = norm.Denormalize(z, offset, scale);
        var b = back.data<double>().ToArray();
        var expected = new double[] { 1, 2, 3, 6, 5, 4 };
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], b[i], 12);
        z.Dispose(); offset.Dispose(); scale!.Dispose();
    }

    [Fact]
    public void ForecasterValidatesShapes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SegmentRecurrentForecaster.Create(40, 10, 7, 8));
        using var model = SegmentRecurrentForecaster.Create(14, 7, 7, 8);
        using var x = zeros(2, 13, 3);
        var e = Assert.Throws<ArgumentException>(() => model.forward(x));
        Assert.Contains("L = 13", e.Message);
        Assert.Contains("L = 14", e.Message);
        using var ok = zeros(2, 14, 3);
        using var y = model.forward(ok);
        Assert.Equal(new long[] { 2, 7, 3 }, y.shape);
    }

    [Fact]
    public void ChannelIndependentForecastIgnoresOtherChannels()
    {
        manual_seed(7);
        using var model = SegmentRecurrentForecaster.Create(14, 7, 7, 8);
        model.eval();
        using var a = randn(3, 14, 2);
        using var b = a.clone();
        using (no_grad()) b[.., .., 1] = randn(3, 14) * 5;
        using var ya = model.forward(a);
        using var yb = model.forward(b);
        using var ya0 = ya[.., .., 0].contiguous();
        using var yb0 = yb[.., .., 0].contiguous();
        using var ya1 = ya[.., .., 1].contiguous();
        using var yb1 = yb[.., .., 1].contiguous();
        Assert.True(ya0.allclose(yb0, rtol: 0, atol: 1e-6));
        Assert.False(ya1.allclose(yb1, rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void LearnsNoiselessSineBetterThanRepeatLast()
    {
        const int l = 40, h = 10, w = 10;
        manual_seed(7);
        // two channels: sin with period 20 and cos with period 13; train on t < 400, test on windows inside [400, 600).
        var series = Enumerable.Range(0, 600).SelectMany(t => new[] { (float)Math.Sin(2 * Math.PI * t / 20), (float)Math.Cos(2 * Math.PI * t / 13) }).ToArray();
        using var all = tensor(series).reshape(600, 2);
        (Tensor X, Tensor Y) Windows(int from, int to)
        {
            var starts = Enumerable.Range(from, to - from - l - h + 1).ToArray();
            var xs = starts.Select(s => all[s..(s + l)]).ToArray();
            var ys = starts.Select(s => all[(s + l)..(s + l + h)]).ToArray();
            return (stack(xs), stack(ys));
        }
        var (trainX, trainY) = Windows(0, 400);
        var (testX, testY) = Windows(400, 600);
        using var model = SegmentRecurrentForecaster.Create(l, h, w, 32);
        using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
        for (int step = 0; step < 300; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.forward(trainX), trainY);
            loss.backward();
            optimizer.step();
        }
        model.eval();
        double modelMse, repeatMse;
        using (no_grad())
        {
            using var forecast = model.forward(testX);
            modelMse = nn.functional.mse_loss(forecast, testY).item<float>();
            using var last = testX[.., ^1.., ..].expand(-1, h, -1);
            repeatMse = nn.functional.mse_loss(last, testY).item<float>();
        }
        output.WriteLine($"sine, {testX.shape[0]} held-out windows: model mse={modelMse:F5}, repeat-last mse={repeatMse:F4}");
        Assert.True(repeatMse > 0.5, $"repeat-last MSE {repeatMse} should be large on this sine");
        Assert.True(modelMse < 0.01 * repeatMse, $"model MSE {modelMse} vs repeat-last {repeatMse}");
        trainX.Dispose(); trainY.Dispose(); testX.Dispose(); testY.Dispose();
    }
}
