using RnnMl.Samples.Sentiment.Tests;
using RnnMl.Text.Series;
using Xunit.Abstractions;

namespace RnnMl.Text.Tests.Series;

public class ForecastBaselineTests(ITestOutputHelper output)
{
    private static TimeSeries Rows(double[] v, params string[] names) => TimeSeries.FromRows(v, names);

    [Fact]
    public void RepeatLastMatchesHandComputedErrors()
    {
        // a = 1..6 (errors 1, 2 at every window), b = 7 constant (errors 0); L = 2, H = 2, 3 windows.
        var s = Rows(new double[] { 1, 7, 2, 7, 3, 7, 4, 7, 5, 7, 6, 7 }, "a", "b");
        var score = ForecastScore.Evaluate(RepeatLastForecaster.Create(), SlidingWindows.Create(s, 2, 2));
        Assert.Equal(3, score.Windows);
        Assert.Equal((1 + 4) * 3 / 12.0, score.Mse, 12);
        Assert.Equal((1 + 2) * 3 / 12.0, score.Mae, 12);
    }

    [Fact]
    public void SeasonalNaiveRepeatsLastSeason()
    {
        var s = Rows(new double[] { 10, 20, 11, 21, 12, 22, 13 }, "a");
        var f = new double[3];
        SeasonalNaiveForecaster.Create(2).Forecast(new double[] { 10, 20, 11 }, 1, f);
        Assert.Equal(new double[] { 20, 11, 20 }, f);
        // windows [10,20,11]→[21,12,22] and [20,11,21]→[12,22,13]: errors −1, −1, −2 each.
        var score = ForecastScore.Evaluate(SeasonalNaiveForecaster.Create(2), SlidingWindows.Create(s, 3, 3));
        Assert.Equal(12 / 6.0, score.Mse, 12);
        Assert.Equal(8 / 6.0, score.Mae, 12);
        var e = Assert.Throws<ArgumentException>(() => SeasonalNaiveForecaster.Create(4).Forecast(new double[3], 1, f));
        Assert.Contains("L = 3", e.Message);
        Assert.Contains("4", e.Message);
    }

    [Fact]
    public void LinearWithOneLagIsRatioOfSums()
    {
        // x = 1, 2, 3, 5; L = H = 1, ridge 0: w = Σ x_t x_{t+1} / Σ x_t² = (2 + 6 + 15) / (1 + 4 + 9) = 23 / 14.
        var s = Rows(new double[] { 1, 2, 3, 5 }, "a");
        var lin = LinearLeastSquaresForecaster.Fit(SlidingWindows.Create(s, 1, 1), ridge: 0);
        Assert.Equal(23 / 14.0, lin.Weights[0], 12);
        var f = new double[2];
        lin.Forecast(new double[] { 2, -1 }, 2, f);
        Assert.Equal(46 / 14.0, f[0], 12);
        Assert.Equal(-23 / 14.0, f[1], 12);
    }

    [Fact]
    public void LinearRidgeShrinksByTraceTerm()
    {
        // same data, ridge 0.5: λ = 0.5 · 14 / 1 = 7, w = 23 / (14 + 7).
        var s = Rows(new double[] { 1, 2, 3, 5 }, "a");
        var lin = LinearLeastSquaresForecaster.Fit(SlidingWindows.Create(s, 1, 1), ridge: 0.5);
        Assert.Equal(23 / 21.0, lin.Weights[0], 12);
    }

    [Fact]
    public void LinearEqualsBruteForceNormalEquations()
    {
        // L = 5, H = 3, two channels sharing W: solve (XᵀX) Wᵀ = XᵀY by Gaussian elimination on the stacked windows.
        var rng = new Random(7);
        const int l = 5, h = 3, c = 2, t = 40;
        var v = Enumerable.Range(0, t * c).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var s = Rows(v, "a", "b");
        var windows = SlidingWindows.Create(s, l, h, firstStart: 3, endRow: 37);
        var lin = LinearLeastSquaresForecaster.Fit(windows, ridge: 0);
        var xtx = new double[l, l];
        var xty = new double[l, h];
        for (int n = 0; n < windows.Count; n++)
            for (int ch = 0; ch < c; ch++)
            {
                var x = windows.Input(n);
                var y = windows.Target(n);
                for (int i = 0; i < l; i++)
                {
                    for (int j = 0; j < l; j++) xtx[i, j] += x[i * c + ch] * x[j * c + ch];
                    for (int k = 0; k < h; k++) xty[i, k] += x[i * c + ch] * y[k * c + ch];
                }
            }
        for (int k = 0; k < h; k++)
        {
            var w = Solve((double[,])xtx.Clone(), Enumerable.Range(0, l).Select(i => xty[i, k]).ToArray());
            for (int i = 0; i < l; i++) Assert.Equal(w[i], lin.Weights[k * l + i], 9);
        }
        // a least-squares optimum cannot do worse than repeat-last (one of the linear maps) on its own training windows
        Assert.True(ForecastScore.Evaluate(lin, windows).Mse <= ForecastScore.Evaluate(RepeatLastForecaster.Create(), windows).Mse);
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        for (int p = 0; p < n; p++)
        {
            int best = p;
            for (int r = p + 1; r < n; r++) if (Math.Abs(a[r, p]) > Math.Abs(a[best, p])) best = r;
            for (int j = 0; j < n; j++) (a[p, j], a[best, j]) = (a[best, j], a[p, j]);
            (b[p], b[best]) = (b[best], b[p]);
            for (int r = p + 1; r < n; r++)
            {
                double f = a[r, p] / a[p, p];
                for (int j = p; j < n; j++) a[r, j] -= f * a[p, j];
                b[r] -= f * b[p];
            }
        }
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double v = b[i];
            for (int j = i + 1; j < n; j++) v -= a[i, j] * x[j];
            x[i] = v / a[i, i];
        }
        return x;
    }

    [SharedDataFact(SeriesData.EttH1)]
    public void EttH1BaselinesReproduceProtocolAtHorizon96()
    {
        var raw = TimeSeries.FromCsv(SharedData.File(SeriesData.EttH1)!);
        var split = LongHorizonSplit.Ett();
        var z = split.FitScaler(raw).Transform(raw);
        var test = split.Test(z, 336, 96);
        var repeat = ForecastScore.Evaluate(RepeatLastForecaster.Create(), test);
        var seasonal = ForecastScore.Evaluate(SeasonalNaiveForecaster.Create(24), test);
        var linear = ForecastScore.Evaluate(LinearLeastSquaresForecaster.Fit(split.Train(z, 336, 96)), test);
        output.WriteLine($"ETTh1 H=96, {test.Count} test windows: repeat mse={repeat.Mse:F4} mae={repeat.Mae:F4}; " +
            $"seasonal24 mse={seasonal.Mse:F4} mae={seasonal.Mae:F4}; linear336 mse={linear.Mse:F4} mae={linear.Mae:F4}");
        Assert.Equal(2785, test.Count);
        Assert.InRange(repeat.Mse, 1.284, 1.304);
        Assert.InRange(seasonal.Mse, 0.502, 0.522);
        Assert.InRange(linear.Mse, 0.360, 0.380);
    }
}
