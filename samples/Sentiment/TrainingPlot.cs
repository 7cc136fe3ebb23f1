using RnnMl.Torch.Training;
using ScottPlot;

namespace RnnMl.Samples.Sentiment;

/// <summary>Draws the per-epoch loss (top) and accuracy (bottom) curves of a training run to a PNG.</summary>
internal static class TrainingPlot
{
    public static void Save(IReadOnlyList<EpochMetrics> history, int bestEpoch, string title, string path, double? baselineAccuracy = null)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var loss = multiplot.GetPlot(0);
        var accuracy = multiplot.GetPlot(1);
        double[] x = history.Select(e => (double)(e.Epoch + 1)).ToArray();

        Line(loss, x, history.Select(e => e.TrainLoss), "train loss", Colors.C0, LinePattern.Solid);
        if (history.Any(e => e.ValidationLoss is not null))
            Line(loss, x, history.Select(e => e.ValidationLoss ?? double.NaN), "validation loss", Colors.C1, LinePattern.Dashed);
        Line(accuracy, x, history.Select(e => 100 * e.TrainMetrics.GetValueOrDefault("accuracy", double.NaN)), "train accuracy", Colors.C0, LinePattern.Solid);
        if (history.Any(e => e.ValidationMetrics.ContainsKey("accuracy")))
            Line(accuracy, x, history.Select(e => 100 * e.ValidationMetrics.GetValueOrDefault("accuracy", double.NaN)), "validation accuracy", Colors.C1, LinePattern.Dashed);
        if (baselineAccuracy is double b)
        {
            var h = accuracy.Add.HorizontalLine(100 * b, 1.5f, Colors.Gray, LinePattern.Dotted);
            h.LegendText = "bag-of-words test accuracy";
        }

        foreach (var plot in new[] { loss, accuracy })
        {
            if (bestEpoch >= 0)
            {
                var v = plot.Add.VerticalLine(bestEpoch + 1, 1, Colors.Green.WithAlpha(0.6), LinePattern.Dotted);
                v.LegendText = "best epoch (kept)";
            }
            plot.XLabel("epoch");
            plot.Layout.Fixed(new PixelPadding(80, 20, 55, 45)); // the same margins keep the two panels' epochs aligned
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            plot.Axes.SetLimitsX(0.5, Math.Max(2, x.Length) + 0.5);
        }
        loss.Title(title);
        loss.YLabel("cross-entropy loss");
        loss.ShowLegend(Alignment.UpperRight);
        accuracy.YLabel("accuracy (%)");
        accuracy.ShowLegend(Alignment.LowerRight);
        multiplot.SavePng(path, 900, 800);
    }

    private static void Line(Plot plot, double[] x, IEnumerable<double> y, string label, Color color, LinePattern pattern)
    {
        var s = plot.Add.Scatter(x, y.ToArray(), color);
        s.LegendText = label;
        s.LineWidth = 2;
        s.MarkerSize = 6;
        s.LinePattern = pattern;
    }
}
