using RnnMl.Export;
using RnnMl.Text.Export;
using RnnMl.Torch.Forecasting;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RnnMl.Onnx.Tests;

/// <summary>The joint channel mode and known covariates of an exported <see cref="SegmentRecurrentForecaster"/>, against TorchSharp.</summary>
public sealed class OnnxForecasterModesParityTests(ITestOutputHelper output) : IDisposable
{
    private const int L = 12, H = 5, W = 4;
    private static readonly double[] Levels = { 0.05, 0.5, 0.95 };
    private readonly string folder = Directory.CreateTempSubdirectory("rnnml-forecaster-modes-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static SegmentRecurrentForecaster Model(bool joint, int c, int k, bool skip, bool divideByStd)
    {
        manual_seed(13);
        var model = SegmentRecurrentForecaster.Create(L, H, W, hiddenSize: 6, normalization: InstanceNormalization.Create(divideByStd), quantiles: Levels,
            linearSkip: skip, channelMode: joint ? ForecasterChannelMode.Joint : ForecasterChannelMode.Independent, channels: joint ? c : 0, covariates: k);
        if (skip) using (no_grad()) model.Skip!.weight!.uniform_(-0.5, 0.5);
        model.eval();
        return model;
    }

    /// <summary>N covariate tables (T + H, K), T = the history's rows.</summary>
    private static float[][,] Covariates(int n, int rows, int k, int seed = 3)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ =>
        {
            var table = new float[rows + H, k];
            for (int t = 0; t < rows + H; t++)
                for (int j = 0; j < k; j++) table[t, j] = (float)(random.NextDouble() * 4 - 2 + 5 * j);
            return table;
        }).ToArray();
    }

    /// <summary>TorchSharp's point and quantiles for the last L rows of each window and the last L + H rows of its covariates,
    /// the covariates scaled by (v − mean)/std when given.</summary>
    private static (float[] Point, float[] Quantiles) Torch(SegmentRecurrentForecaster model, float[][,] windows, float[][,]? covariates,
        double[]? mean = null, double[]? std = null)
    {
        int n = windows.Length, k = model.Covariates;
        if (covariates is null) return OnnxForecasterParityTests.Torch(model, windows);
        var known = new float[n * (L + H) * k];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < L + H; t++)
                for (int j = 0; j < k; j++)
                {
                    float v = covariates[i][covariates[i].GetLength(0) - L - H + t, j];
                    known[(i * (L + H) + t) * k + j] = mean is null ? v : (float)((v - mean[j]) / std![j]);
                }
        int c = windows[0].GetLength(1);
        var flat = new float[n * L * c];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < L; t++)
                for (int j = 0; j < c; j++) flat[(i * L + t) * c + j] = windows[i][windows[i].GetLength(0) - L + t, j];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (point, q) = model.ForecastWithQuantiles(tensor(flat, new long[] { n, L, c }), tensor(known, new long[] { n, L + H, k }));
        return (point.data<float>().ToArray(), q.data<float>().ToArray());
    }

    [Theory]
    [InlineData(true, 3, 0, false, false)]
    [InlineData(true, 3, 0, true, true)]
    [InlineData(false, 4, 2, true, false)]
    [InlineData(true, 3, 2, true, true)]
    [InlineData(true, 1, 1, false, false)]
    public void Forecasts_EqualTorchSharpsWithin1em4(bool joint, int c, int k, bool skip, bool divideByStd)
    {
        using var model = Model(joint, c, k, skip, divideByStd);
        var path = Path.Combine(folder, "modes.onnx");
        OnnxExporter.Export(model, path);
        var windows = OnnxForecasterParityTests.Windows(6, c, rows: L + 3);
        var covariates = k == 0 ? null : Covariates(6, L + 3, k);
        using var forecaster = OnnxForecasterParityTests.LoadStrict(path);
        var actual = forecaster.ForecastBatch(windows, covariates);
        double diff = OnnxForecasterParityTests.MaxDiff(Torch(model, windows, covariates), actual);
        output.WriteLine($"joint={joint} C={c} K={k} skip={skip} std={divideByStd}: max |torch − onnx| = {diff:E2}");
        Assert.True(diff <= 1e-4, $"max abs diff {diff}");
        Assert.Equal((k, joint), (forecaster.Info.Covariates, forecaster.Info.Joint));
        if (joint) Assert.Equal(c, forecaster.Info.Channels);
        if (k > 0)
        {
            // The graph reads the future covariates: changing one changes the forecast.
            var changed = covariates!.Select(t => (float[,])t.Clone()).ToArray();
            changed[0][L + 3 + 1, 0] += 3;
            Assert.True(OnnxForecasterParityTests.MaxDiff(Torch(model, windows, covariates), forecaster.ForecastBatch(windows, changed)) > 1e-3);
            Assert.Equal(actual[2].Point, forecaster.Forecast(windows[2], covariates![2]).Point);
        }
    }

    [Fact]
    public void CovariateScaling_InsideTheGraph_AndBadCovariatesAreRefusedStatingBothShapes()
    {
        using var model = Model(joint: false, c: 2, k: 2, skip: false, divideByStd: false);
        double[] mean = { 1, -3 }, std = { 2, 0.5 };
        var path = Path.Combine(folder, "scaled.onnx");
        OnnxExporter.Export(model, path, new ForecasterModelInfo(covariateNames: new[] { "hour", "weekday" }, covariateMeans: mean, covariateStds: std));
        var windows = OnnxForecasterParityTests.Windows(3, 2);
        var covariates = Covariates(3, L, 2);
        using var forecaster = OnnxForecasterParityTests.LoadStrict(path);
        double diff = OnnxForecasterParityTests.MaxDiff(Torch(model, windows, covariates, mean, std), forecaster.ForecastBatch(windows, covariates));
        output.WriteLine($"covariate scaling: max |torch − onnx| = {diff:E2}");
        Assert.True(diff <= 1e-4, $"max abs diff {diff}");
        Assert.Equal(new[] { "hour", "weekday" }, forecaster.Info.CovariateNames);

        Assert.Contains("1 histories, 0 tables", Assert.Throws<ArgumentException>(() => forecaster.Forecast(windows[0])).Message);
        var shortTable = new float[L + H - 1, 2];
        Assert.Contains($"({L + H}, 2)", Assert.Throws<ArgumentException>(() => forecaster.Forecast(windows[0], shortTable)).Message);
        var wide = new float[L + H, 7];
        var e = Assert.Throws<ArgumentException>(() => forecaster.Forecast(windows[0], wide));
        Assert.Contains($"got ({L + H}, 7)", e.Message);
        Assert.Throws<ArgumentException>(() => new ForecasterModelInfo(covariateNames: new[] { "a" }, covariateMeans: mean, covariateStds: std));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, Path.Combine(folder, "bad.onnx"), new ForecasterModelInfo(covariateNames: new[] { "a" })));
    }

    [Fact]
    public void CalibratedIntervalScale_IsInsideTheGraph()
    {
        using var model = Model(joint: false, c: 2, k: 1, skip: true, divideByStd: false);
        model.IntervalScale = 1.7;
        var path = Path.Combine(folder, "calibrated.onnx");
        OnnxExporter.Export(model, path);
        var windows = OnnxForecasterParityTests.Windows(4, 2);
        var covariates = Covariates(4, L, 1);
        using var forecaster = OnnxForecasterParityTests.LoadStrict(path);
        var actual = forecaster.ForecastBatch(windows, covariates);
        double diff = OnnxForecasterParityTests.MaxDiff(Torch(model, windows, covariates), actual);
        output.WriteLine($"interval scale 1.7: max |torch − onnx| = {diff:E2}");
        Assert.True(diff <= 1e-4, $"max abs diff {diff}");
        model.IntervalScale = 1;
        Assert.True(OnnxForecasterParityTests.MaxDiff(Torch(model, windows, covariates), actual) > 1e-3);
    }

    [Fact]
    public void JointModel_RefusesOtherChannelCounts_AndRecursiveIsNotExported()
    {
        using var joint = Model(joint: true, c: 3, k: 0, skip: false, divideByStd: false);
        var path = Path.Combine(folder, "joint.onnx");
        OnnxExporter.Export(joint, path);
        using var forecaster = OnnxForecasterParityTests.LoadStrict(path);
        var e = Assert.Throws<ArgumentException>(() => forecaster.Forecast(OnnxForecasterParityTests.Windows(1, 7)[0]));
        Assert.Contains("3 channels", e.Message);
        Assert.Contains("7 columns", e.Message);
        using var recursive = SegmentRecurrentForecaster.Create(L, H, W, 6, outputMode: ForecastOutputMode.Recursive);
        Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(recursive, Path.Combine(folder, "recursive.onnx")));
    }
}
