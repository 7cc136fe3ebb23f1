using RnnMl.Text.Series;
using RnnMl.Torch.Forecasting;
using static TorchSharp.torch;

namespace RnnMl.Bench.Forecasting;

/// <summary>A trained forecaster's MSE, MAE (over windows, steps and channels) and interval coverage on a set of windows.</summary>
/// <param name="Mse">Mean squared error of the point forecast.</param>
/// <param name="Mae">Mean absolute error of the point forecast.</param>
/// <param name="Coverage">Share of target values inside [first quantile, last quantile].</param>
/// <param name="Windows">Windows scored.</param>
internal sealed record WindowScore(double Mse, double Mae, double Coverage, int Windows)
{
    /// <summary>
    /// Scores the mean of <paramref name="models"/> (each with the same quantile head) on every window, in batches, in
    /// eval mode: the point forecasts are averaged, and so is each quantile level (quantile averaging).
    /// </summary>
    public static WindowScore Evaluate(IReadOnlyList<SegmentRecurrentForecaster> models, SlidingWindows windows, int batchSize = 512)
    {
        if (models.Count == 0) throw new ArgumentException("at least one model is needed", nameof(models));
        var wasTraining = models.Select(m => m.training).ToArray();
        foreach (var m in models) m.eval();
        double se = 0, ae = 0, inside = 0;
        int l = windows.Lookback, h = windows.Horizon, c = windows.Channels;
        try
        {
            using var noGrad = no_grad();
            for (int start = 0; start < windows.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int b = Math.Min(batchSize, windows.Count - start);
                var xs = new float[b * l * c];
                var ys = new float[b * h * c];
                for (int i = 0; i < b; i++)
                {
                    var input = windows.Input(start + i);
                    var target = windows.Target(start + i);
                    for (int k = 0; k < input.Length; k++) xs[i * l * c + k] = (float)input[k];
                    for (int k = 0; k < target.Length; k++) ys[i * h * c + k] = (float)target[k];
                }
                var x = tensor(xs).reshape(b, l, c);
                var y = tensor(ys).reshape(b, h, c).to(ScalarType.Float64);
                var outputs = models.Select(m => m.ForecastWithQuantiles(x)).ToArray();
                var point = stack(outputs.Select(o => o.Point).ToArray()).mean(new long[] { 0 });
                var q = stack(outputs.Select(o => o.Quantiles).ToArray()).mean(new long[] { 0 });
                var error = point.to(ScalarType.Float64) - y;
                se += error.square().sum().item<double>();
                ae += error.abs().sum().item<double>();
                var lower = q[.., .., .., 0].to(ScalarType.Float64);
                var upper = q[.., .., .., ^1].to(ScalarType.Float64);
                inside += (y >= lower).logical_and(y <= upper).sum().item<long>();
            }
        }
        finally
        {
            for (int i = 0; i < models.Count; i++) models[i].train(wasTraining[i]);
        }
        double count = (double)windows.Count * h * c;
        return new WindowScore(se / count, ae / count, inside / count, windows.Count);
    }
}
