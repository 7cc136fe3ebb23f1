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
    /// <summary>Scores <paramref name="model"/> (which has a quantile head) on every window, in batches, in eval mode.</summary>
    public static WindowScore Evaluate(SegmentRecurrentForecaster model, SlidingWindows windows, int batchSize = 512)
    {
        bool wasTraining = model.training;
        model.eval();
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
                var (point, q) = model.ForecastWithQuantiles(x);
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
            model.train(wasTraining);
        }
        double count = (double)windows.Count * h * c;
        return new WindowScore(se / count, ae / count, inside / count, windows.Count);
    }
}
