using Microsoft.ML.OnnxRuntime;
using RnnMl.Export;
using RnnMl.Text.Export;
using RnnMl.Torch.Forecasting;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RnnMl.Onnx.Tests;

/// <summary>An exported <see cref="SegmentRecurrentForecaster"/> run by <see cref="OnnxForecaster"/> forecasts as TorchSharp does.</summary>
public sealed class OnnxForecasterParityTests(ITestOutputHelper output) : IDisposable
{
    private const int L = 12, H = 5, W = 4;
    private static readonly double[] Levels = { 0.05, 0.5, 0.95 };
    private readonly string folder = Directory.CreateTempSubdirectory("rnnml-forecaster-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A forecaster with random weights; the skip (zero at creation) gets random weights too, so it matters.</summary>
    internal static SegmentRecurrentForecaster Model(bool quantiles, bool skip, bool divideByStd, int seed = 11)
    {
        manual_seed(seed);
        var model = SegmentRecurrentForecaster.Create(L, H, W, hiddenSize: 6, dropout: 0.3,
            normalization: InstanceNormalization.Create(divideByStd), quantiles: quantiles ? Levels : null, linearSkip: skip);
        if (skip) using (no_grad()) model.Skip!.weight!.uniform_(-0.5, 0.5);
        model.eval();
        return model;
    }

    /// <summary>N windows (L, C) on different levels and scales, so the normalisation matters.</summary>
    internal static float[][,] Windows(int n, int c, int rows = L, int seed = 5)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(i =>
        {
            var x = new float[rows, c];
            for (int t = 0; t < rows; t++)
                for (int k = 0; k < c; k++) x[t, k] = (float)(10 * i - 20 + (k + 1) * random.NextDouble() * 3 + Math.Sin(t + k));
            return x;
        }).ToArray();
    }

    /// <summary>TorchSharp's point (N, H, C) and quantiles (N, H, C, Q) for the last L rows of each window, flat.</summary>
    internal static (float[] Point, float[] Quantiles) Torch(SegmentRecurrentForecaster model, float[][,] windows, double[]? mean = null, double[]? std = null)
    {
        int n = windows.Length, c = windows[0].GetLength(1);
        var flat = new float[n * L * c];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < L; t++)
                for (int k = 0; k < c; k++)
                {
                    var v = windows[i][windows[i].GetLength(0) - L + t, k];
                    flat[(i * L + t) * c + k] = mean is null ? v : (float)((v - mean[k]) / std![k]);
                }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor(flat, new long[] { n, L, c });
        var (point, q) = model.Quantiles.Count == 0 ? (model.forward(x), zeros(0)) : model.ForecastWithQuantiles(x);
        var (p, qs) = (point.data<float>().ToArray(), q.data<float>().ToArray());
        if (mean is not null)
        {
            int levels = model.Quantiles.Count;
            for (int j = 0; j < p.Length; j++) p[j] = (float)(p[j] * std![j % c] + mean[j % c]);
            for (int j = 0; j < qs.Length; j++) qs[j] = (float)(qs[j] * std![j / levels % c] + mean[j / levels % c]);
        }
        return (p, qs);
    }

    /// <summary>The largest |torch − onnx| over every point and quantile value.</summary>
    internal static double MaxDiff((float[] Point, float[] Quantiles) torch, IReadOnlyList<OnnxForecast> onnx)
    {
        double max = 0;
        int h = onnx[0].Point.GetLength(0), c = onnx[0].Point.GetLength(1), q = onnx[0].Quantiles.GetLength(2);
        Assert.Equal(torch.Point.Length, onnx.Count * h * c);
        Assert.Equal(torch.Quantiles.Length, onnx.Count * h * c * q);
        for (int i = 0; i < onnx.Count; i++)
            for (int t = 0; t < h; t++)
                for (int k = 0; k < c; k++)
                {
                    max = Math.Max(max, Math.Abs(torch.Point[(i * h + t) * c + k] - onnx[i].Point[t, k]));
                    for (int j = 0; j < q; j++)
                        max = Math.Max(max, Math.Abs(torch.Quantiles[((i * h + t) * c + k) * q + j] - onnx[i].Quantiles[t, k, j]));
                }
        return max;
    }

    internal static OnnxForecaster LoadStrict(string path)
    {
        using var options = new SessionOptions();
        options.AddSessionConfigEntry("session.strict_shape_type_inference", "1");
        return OnnxForecaster.Load(path, options);
    }

    [Theory]
    [InlineData(false, false, false, 1)]
    [InlineData(true, false, false, 1)]
    [InlineData(false, true, false, 7)]
    [InlineData(true, true, false, 7)]
    [InlineData(true, true, true, 7)]
    [InlineData(true, false, true, 1)]
    public void Forecasts_OfRandomWindows_EqualTorchSharpsWithin1em4(bool quantiles, bool skip, bool divideByStd, int c)
    {
        using var model = Model(quantiles, skip, divideByStd);
        var path = Path.Combine(folder, "forecaster.onnx");
        OnnxExporter.Export(model, path);
        var windows = Windows(6, c, rows: L + 3);   // longer histories: the last L rows are used
        var expected = Torch(model, windows);

        using var forecaster = LoadStrict(path);
        var actual = forecaster.ForecastBatch(windows);
        double diff = MaxDiff(expected, actual);
        output.WriteLine($"quantiles={quantiles} skip={skip} std={divideByStd} C={c}: max |torch − onnx| = {diff:E2}");
        Assert.True(diff <= 1e-4, $"max abs diff {diff}");
        Assert.Equal(quantiles ? Levels : Array.Empty<double>(), forecaster.Info.Quantiles);
        Assert.Equal((L, H), (forecaster.Info.Lookback, forecaster.Info.Horizon));
        Assert.Equal(quantiles, actual[0].Lower is not null);
        if (quantiles) Assert.Equal(actual[0].Quantiles[2, 0, 0], actual[0].Lower![2, 0]);
        // One history at a time, as a table and as steps, gives the batch's answer (up to the kernels' batch-size rounding).
        var single = forecaster.Forecast(windows[3]);
        var steps = forecaster.Forecast(Enumerable.Range(0, L + 3).Select(t => Enumerable.Range(0, c).Select(k => windows[3][t, k]).ToArray()).ToList());
        Assert.Equal(actual[3].Point.Cast<float>(), single.Point.Cast<float>(), (a, b) => Math.Abs(a - b) <= 1e-5f);
        Assert.Equal(single.Point, steps.Point);
    }

    [Fact]
    public void ChannelScaling_InsideTheGraph_EqualsScalingAroundTorchSharp()
    {
        using var model = Model(quantiles: true, skip: true, divideByStd: false);
        double[] mean = { 3, -40, 0.5 }, std = { 2, 25, 0.1 };
        var path = Path.Combine(folder, "scaled.onnx");
        OnnxExporter.Export(model, path, new ForecasterModelInfo(new[] { "a", "b", "c" }, mean, std));
        var windows = Windows(4, 3);
        using var forecaster = LoadStrict(path);
        double diff = MaxDiff(Torch(model, windows, mean, std), forecaster.ForecastBatch(windows));
        output.WriteLine($"scaled: max |torch − onnx| = {diff:E2}");
        Assert.True(diff <= 1e-4, $"max abs diff {diff}");
        Assert.Equal(new[] { "a", "b", "c" }, forecaster.Info.ChannelNames);
        Assert.Equal(std, forecaster.Info.Stds);
        // Without the scaling the forecasts differ (the graph really applies it).
        Assert.True(MaxDiff(Torch(model, windows), forecaster.ForecastBatch(windows)) > 1e-2);
    }

    [Fact]
    public void PerturbedWeight_AfterExport_BreaksParity()
    {
        using var model = Model(quantiles: true, skip: false, divideByStd: true);
        var path = Path.Combine(folder, "perturbed.onnx");
        OnnxExporter.Export(model, path);
        using (no_grad()) model.Recurrent.named_parameters().First(p => p.name == "weight_hh_l0").parameter[4, 2].add_(0.5f);
        var windows = Windows(6, 7);
        using var forecaster = LoadStrict(path);
        double diff = MaxDiff(Torch(model, windows), forecaster.ForecastBatch(windows));
        output.WriteLine($"perturbed: max |torch − onnx| = {diff:E2}");
        Assert.True(diff > 1e-4, $"a perturbed GRU weight still matched within {diff}");
    }
}
