using RnnMl.Text.Internal;
using RnnMl.Torch.Forecasting;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>One window's forecast: point, lower and upper bound, each H·C values, shape (H, C) row-major.</summary>
internal sealed record ForecastOutput(float[] Point, float[] Lower, float[] Upper);

/// <summary>
/// The trained forecaster and the channel scaling it was trained with; forecasts batches of windows. Safe to call from
/// several threads at once (the model stays in evaluation mode).
/// </summary>
/// <remarks>Each channel c is z-scored with the training rows' mean μ_c and std σ_c (σ below 1e-8 becomes 1, see
/// <see cref="RnnMl.Text.Series.ChannelScaler"/>) before the model and unscaled after it, so the network always sees
/// values of order 1; the scaling is per channel, so channels stay independent. Known covariates are z-scored likewise
/// with their own training mean and std. A window is L·C target values (L rows of C, oldest first) followed, with K &gt; 0
/// covariates, by (L + H)·K covariate values (the window's L rows and the H forecast rows, K per row).</remarks>
internal sealed class ForecasterCore : TaskCore<SegmentRecurrentForecaster>
{
    public ForecasterCore(SegmentRecurrentForecaster model, double[] mean, double[] std, Device device,
        double[]? covariateMean = null, double[]? covariateStd = null)
        : base(model, device, "RecurrentForecasterTransformer")
    {
        (Mean, Std) = (mean, std);
        (CovariateMean, CovariateStd) = (covariateMean ?? [], covariateStd ?? []);
    }

    public double[] Mean { get; }
    public double[] Std { get; }
    public double[] CovariateMean { get; }
    public double[] CovariateStd { get; }
    public int Channels => Mean.Length;
    public int Covariates => CovariateMean.Length;

    /// <summary>Values of one window: L·C targets, then (L + H)·K covariates.</summary>
    public int WindowLength => Lookback * Channels + (Lookback + Horizon) * Covariates;
    public int Lookback => Model.Lookback;
    public int Horizon => Model.Horizon;

    /// <summary>The forecasts of a batch of windows ((L, C) row-major raw values, oldest first); a null window (too few
    /// or non-finite rows before it) gets NaN forecasts.</summary>
    public ForecastOutput[] Forecast(IReadOnlyList<float[]?> windows)
    {
        using var lease = Gate.Enter();
        int c = Channels, l = Lookback, h = Horizon, kk = Covariates, span = (l + h) * kk;
        var result = new ForecastOutput[windows.Count];
        var valid = Enumerable.Range(0, windows.Count).Where(i => windows[i] is not null).ToArray();
        foreach (int i in Enumerable.Range(0, windows.Count).Except(valid))
            result[i] = new ForecastOutput(Filled(h * c), Filled(h * c), Filled(h * c));
        if (valid.Length == 0) return result;

        var input = new float[valid.Length * l * c];
        var known = new float[valid.Length * span];
        for (int b = 0; b < valid.Length; b++)
        {
            var w = windows[valid[b]]!;
            for (int k = 0; k < l * c; k++) input[b * l * c + k] = (float)((w[k] - Mean[k % c]) / Std[k % c]);
            for (int k = 0; k < span; k++) known[b * span + k] = (float)((w[l * c + k] - CovariateMean[k % kk]) / CovariateStd[k % kk]);
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor(input, [valid.Length, l, c]).to(Device);
        var covariates = kk == 0 ? null : tensor(known, [valid.Length, l + h, kk]).to(Device);
        var (point, quantiles) = Model.ForecastWithQuantiles(x, covariates);
        var p = point.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var q = quantiles.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        int levels = Model.Quantiles.Count;
        for (int b = 0; b < valid.Length; b++)
        {
            var output = new ForecastOutput(new float[h * c], new float[h * c], new float[h * c]);
            for (int k = 0; k < h * c; k++)
            {
                int e = b * h * c + k;
                double mu = Mean[k % c], sigma = Std[k % c];
                output.Point[k] = (float)(p[e] * sigma + mu);
                output.Lower[k] = (float)(q[e * levels] * sigma + mu);
                output.Upper[k] = (float)(q[e * levels + levels - 1] * sigma + mu);
            }
            result[valid[b]] = output;
        }
        return result;
    }

    private static float[] Filled(int n)
    {
        var a = new float[n];
        Array.Fill(a, float.NaN);
        return a;
    }
}
