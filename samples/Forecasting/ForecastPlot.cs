using RnnMl.MLNet.Forecasting;
using RnnMl.Text.Series;
using ScottPlot;

namespace RnnMl.Samples.Forecasting;

/// <summary>Draws a few held-out windows of the first channel side by side: the last rows of the history (at most 3·H of
/// the L the forecast is made from), the H true values, the forecast and its interval band.</summary>
internal static class ForecastPlot
{
    /// <summary>The windows drawn, spread evenly over the held-out tail.</summary>
    public const int Windows = 3;

    /// <summary>Writes the PNG; <paramref name="start"/> and <paramref name="count"/> are the evaluated rows (the tail and the
    /// L rows before it). <paramref name="series"/> holds the targets and then the model's known covariates, if any.</summary>
    public static void Save(RecurrentForecasterTransformer model, TimeSeries series, int start, int count, string path)
    {
        int l = model.Lookback, h = model.Horizon, last = count - l - h, gap = Math.Max(h / 2, 4), shown = Math.Min(l, 3 * h);
        var plot = new Plot();
        for (int k = 0; k < Windows; k++)
        {
            int first = start + (Windows == 1 ? 0 : last * k / (Windows - 1));
            int known = model.KnownCovariateColumns.Count, c = series.Channels - known;
            var future = SeriesData.Floats(series, first + l, h).Select(r => r[c..]).ToList();
            var forecast = known == 0 ? model.Forecast(SeriesData.Floats(series, first, l)) : model.Forecast(SeriesData.Floats(series, first, l), future);
            double x0 = k * (shown + h + gap) - (l - shown);
            double[] xsHistory = Enumerable.Range(l - shown, shown).Select(t => x0 + t).ToArray();
            double[] xsFuture = Enumerable.Range(l, h).Select(t => x0 + t).ToArray();
            double[] history = Enumerable.Range(first + l - shown, shown).Select(t => series[t, 0]).ToArray();
            double[] truth = Enumerable.Range(first + l, h).Select(t => series[t, 0]).ToArray();

            var band = plot.Add.FillY(xsFuture, forecast.LowerBound[0].Select(v => (double)v).ToArray(), forecast.UpperBound[0].Select(v => (double)v).ToArray());
            band.FillStyle.Color = Colors.Orange.WithAlpha(0.3);
            band.LineStyle.Width = 0;
            var pastLine = plot.Add.ScatterLine(xsHistory, history, Colors.Gray);
            var truthLine = plot.Add.ScatterLine(xsFuture, truth, Colors.Black);
            var forecastLine = plot.Add.ScatterLine(xsFuture, forecast.Forecast[0].Select(v => (double)v).ToArray(), Colors.OrangeRed);
            forecastLine.LineWidth = 2;
            if (k == 0)
            {
                pastLine.LegendText = "history";
                truthLine.LegendText = "truth";
                forecastLine.LegendText = "forecast";
                band.LegendText = $"{model.ConfidenceLevel:P0} interval";
            }
            if (k > 0) plot.Add.VerticalLine(x0 + l - shown - gap / 2.0, 1, Colors.LightGray);
        }
        plot.Title($"{series.ChannelNames[0]}: {Windows} held-out windows (L = {l}, H = {h})");
        plot.XLabel($"time steps; {Windows} windows side by side, each {shown} steps of history then {h} forecast");
        plot.YLabel(series.ChannelNames[0]);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1400, 500);
    }
}
