using RnnMl.MLNet.Forecasting;
using RnnMl.Text.Series;

namespace RnnMl.MLNet.Internal;

/// <summary>Scores a forecaster on every window of a series: MSE, MAE, sMAPE, MASE and interval coverage, overall, per target and per step.</summary>
internal static class ForecasterEvaluation
{
    public static ForecastEvaluation Evaluate(ForecasterCore core, ForecasterColumns columns, IDataView data, int batchSize)
    {
        var rows = SeriesRows.Read(data, columns.Read, "evaluation", columns.MissingValues == Torch.Models.MissingValuePolicy.ForwardFill);
        int l = core.Lookback, h = core.Horizon, c = core.Channels, kk = core.Covariates;
        if (rows.Count < l + h) throw SeriesRows.TooFew(nameof(data), "evaluation", rows.Count, l, h);
        var windows = SlidingWindows.Create(SeriesRows.ToSeries(rows, columns.Targets), l, h);
        var se = new double[h, c];
        var ae = new double[h, c];
        var sape = new double[h, c];
        var inside = new long[c];
        for (int start = 0; start < windows.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, windows.Count - start);
            var inputs = new float[count][];
            for (int b = 0; b < count; b++)
            {
                var input = windows.Input(start + b);
                inputs[b] = new float[core.WindowLength];
                for (int k = 0; k < input.Length; k++) inputs[b][k] = (float)input[k];
                for (int t = 0; t < l + h && kk > 0; t++)
                    Array.Copy(rows[start + b + t], c, inputs[b], l * c + t * kk, kk);
            }
            var outputs = core.Forecast(inputs);
            for (int b = 0; b < count; b++)
            {
                var truth = windows.Target(start + b);
                var o = outputs[b];
                for (int k = 0; k < h * c; k++)
                {
                    double d = o.Point[k] - truth[k];
                    se[k / c, k % c] += d * d;
                    ae[k / c, k % c] += Math.Abs(d);
                    double denominator = Math.Abs(o.Point[k]) + Math.Abs(truth[k]);
                    if (denominator > 0) sape[k / c, k % c] += 200 * Math.Abs(d) / denominator;
                    if (truth[k] >= o.Lower[k] && truth[k] <= o.Upper[k]) inside[k % c]++;
                }
            }
        }
        double n = windows.Count;
        double Sum(double[,] a, int? step, int? target)
        {
            double s = 0;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < c; j++)
                    if ((step ?? i) == i && (target ?? j) == j) s += a[i, j];
            return s;
        }
        var repeat = ForecastScore.Evaluate(RepeatLastForecaster.Create(), windows);
        // MASE's scale: the one-step naive forecast's mean absolute error on the evaluated rows, per target.
        var scale = new double[c];
        for (int t = 1; t < rows.Count; t++)
            for (int j = 0; j < c; j++) scale[j] += Math.Abs((double)rows[t][j] - rows[t - 1][j]);
        for (int j = 0; j < c; j++) scale[j] = scale[j] > 0 ? scale[j] / (rows.Count - 1) : double.NaN;
        var mase = Enumerable.Range(0, c).Select(j => Sum(ae, null, j) / (n * h) / scale[j]).ToArray();
        return new ForecastEvaluation(windows.Count, Sum(se, null, null) / (n * h * c), Sum(ae, null, null) / (n * h * c),
            inside.Sum() / (n * h * c),
            Enumerable.Range(0, c).Select(j => Sum(se, null, j) / (n * h)).ToArray(),
            Enumerable.Range(0, c).Select(j => Sum(ae, null, j) / (n * h)).ToArray(),
            inside.Select(x => x / (n * h)).ToArray(),
            Enumerable.Range(0, h).Select(i => Sum(se, i, null) / (n * c)).ToArray(),
            Enumerable.Range(0, h).Select(i => Sum(ae, i, null) / (n * c)).ToArray(),
            repeat.Mse,
            Sum(sape, null, null) / (n * h * c), mase.Average(),
            Enumerable.Range(0, c).Select(j => Sum(sape, null, j) / (n * h)).ToArray(),
            mase,
            Enumerable.Range(0, h).Select(i => Sum(sape, i, null) / (n * c)).ToArray(),
            Enumerable.Range(0, h).Select(i => Enumerable.Range(0, c).Average(j => ae[i, j] / n / scale[j])).ToArray());
    }
}
