using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Forecasting;
using RnnMl.Text.Series;

namespace RnnMl.Samples.Forecasting;

/// <summary>Reads or generates the series, holds out its tail, trains <c>ForecastByRecurrent</c> on the rest, scores it
/// and the baselines on the tail, saves the model and draws the plot.</summary>
internal static class TrainCommand
{
    /// <summary>The share of the training rows <c>ForecastByRecurrent</c> keeps for validation (its default).</summary>
    private const double ValidationFraction = 0.2;

    public static int Run(SampleOptions o, TextWriter output)
    {
        var series = Load(o, output);
        var covariates = o.Covariates
            ? o.DataPath is null ? TimeFeatures.Hourly(series.Length) : TimeFeatures.FromCsv(o.DataPath, o.TimeColumn!, series.Length)
            : null;
        // The data view holds the targets and, with --covariates, the covariate columns after them.
        var data = covariates is null ? series : TimeFeatures.Append(series, covariates);
        int l = o.Lookback, h = o.Horizon, rows = series.Length;
        int testRows = (int)Math.Round(rows * o.TestFraction), trainRows = rows - testRows;
        int needTrain = Math.Max((int)Math.Ceiling((l + h) / (1 - ValidationFraction)), (int)Math.Ceiling(h / ValidationFraction)) + 1;
        if (testRows < h || trainRows < needTrain)
            throw new InvalidDataException(
                $"{(o.DataPath ?? "the series")} has {rows} rows, too few for lookback {l} and horizon {h}: the held-out tail " +
                $"({o.TestFraction.ToString(CultureInfo.InvariantCulture)} of the rows) needs at least {h} rows, got {testRows}, and " +
                $"training needs at least {needTrain} (L + H for training windows plus a validation tail longer than H), got {trainRows}");

        var ml = new MLContext(o.Seed);
        var trainView = SeriesData.ToDataView(ml, data, 0, trainRows);
        var options = new RecurrentForecasterOptions
        {
            TargetColumnNames = series.ChannelNames.ToArray(), KnownCovariateColumns = covariates?.ChannelNames.ToArray() ?? [],
            ChannelMode = o.Mode, Lookback = l, Horizon = h, SegmentLength = o.Segment,
            HiddenSize = o.HiddenSize, Epochs = o.Epochs, Seed = o.Seed, ConfidenceLevel = 0.9,
            ValidationFraction = ValidationFraction,
            MaxTrainingTime = o.Minutes is double m ? TimeSpan.FromMinutes(m) : null,
        };
        output.WriteLine($"training ForecastByRecurrent on rows [0, {trainRows}) (the last {ValidationFraction * 100:0}% validate), " +
            $"L = {l}, H = {h}, segments of {o.Segment}, hidden size {o.HiddenSize}, {o.Mode.ToString().ToLowerInvariant()} channels, " +
            $"{(covariates is null ? "no covariates" : "covariates " + string.Join(", ", covariates.ChannelNames))}, up to {o.Epochs} epochs ...");
        var clock = Stopwatch.StartNew();
        using var model = ml.Forecasting.ForecastByRecurrent(options).Fit(trainView);
        var training = model.TrainingResult;
        output.WriteLine($"trained in {clock.Elapsed.TotalSeconds:F1} s" +
            (training is null ? "" : $", {training.History.Count} epochs, best epoch {training.BestEpoch}"));

        // The held-out tail: windows whose H targets are all tail rows; their inputs reach back L rows before it.
        int evalStart = trainRows - l, evalRows = rows - evalStart;
        var scaler = ChannelScaler.Fit(series, 0, trainRows);
        var ours = model.Evaluate(SeriesData.ToDataView(ml, data, evalStart, evalRows));
        var scaled = scaler.Transform(series);
        var testWindows = SlidingWindows.Create(SeriesData.Slice(scaled, evalStart, evalRows), l, h);
        var linear = LinearLeastSquaresForecaster.Fit(SlidingWindows.Create(SeriesData.Slice(scaled, 0, trainRows), l, h));
        var table = new List<(string Name, double Mse, double Mae)>
        {
            ("recurrent (ours)", Scaled(ours.MsePerTarget, scaler.Std, 2), Scaled(ours.MaePerTarget, scaler.Std, 1)),
            Row($"linear (L = {l})", ForecastScore.Evaluate(linear, testWindows)),
            Row($"seasonal-naive (p = {o.Period})", ForecastScore.Evaluate(SeasonalNaiveForecaster.Create(o.Period), testWindows)),
            Row("repeat-last", ForecastScore.Evaluate(RepeatLastForecaster.Create(), testWindows)),
        };
        Print(output, table, ours, testWindows.Count, rows, trainRows, series.Channels);

        ml.Model.SaveRnnModel(model, trainView.Schema, o.ModelPath);
        output.WriteLine($"saved the model to {o.ModelPath} (load it with ml.Model.LoadRnnModel)");
        ForecastPlot.Save(model, data, evalStart, evalRows, o.PlotPath);
        output.WriteLine($"drew history, truth, forecast and the 90% band of a few test windows of '{series.ChannelNames[0]}' to {o.PlotPath}");
        return 0;
    }

    private static TimeSeries Load(SampleOptions o, TextWriter output)
    {
        if (o.DataPath is null)
        {
            var generated = GeneratedSeries.Generate(GeneratedSeries.DefaultLength, o.Seed);
            output.WriteLine($"built-in series: {generated.Length} hourly rows of {string.Join(", ", generated.ChannelNames)} " +
                $"(daily and weekly seasonality, trend, noise, a level shift at row {(int)(generated.Length * 0.55)}; seed {o.Seed})");
            return generated;
        }
        if (!File.Exists(o.DataPath)) throw new FileNotFoundException($"no file '{o.DataPath}'", o.DataPath);
        var all = TimeSeries.FromCsv(o.DataPath, o.TimeColumn, o.ForwardFill);
        var series = o.Targets is null ? all : all.SelectChannels(o.Targets);
        output.WriteLine($"{o.DataPath}: {series.Length} rows; forecasting {string.Join(", ", series.ChannelNames)}");
        return series;
    }

    /// <summary>The mean over targets of a per-target error divided by the target's training std to the given power: the
    /// error on z-scored values, as the baselines are scored.</summary>
    private static double Scaled(IReadOnlyList<double> perTarget, IReadOnlyList<double> std, int power)
        => perTarget.Select((e, j) => e / Math.Pow(std[j], power)).Average();

    private static (string, double, double) Row(string name, ForecastScore score) => (name, score.Mse, score.Mae);

    private static void Print(TextWriter output, List<(string Name, double Mse, double Mae)> table, ForecastEvaluation ours,
        int windows, int rows, int trainRows, int channels)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine($"held-out tail: rows [{trainRows}, {rows}), never trained on; {windows} windows sliding by one step, " +
            $"{channels} channel(s); errors on values z-scored with the training rows' mean and std");
        output.WriteLine();
        output.WriteLine("| forecaster | MSE | MAE |");
        output.WriteLine("|---|---:|---:|");
        foreach (var (name, mse, mae) in table)
            output.WriteLine(string.Format(inv, "| {0} | {1:F4} | {2:F4} |", name, mse, mae));
        output.WriteLine();
        output.WriteLine(string.Format(inv, "90% interval coverage: {0:F3} (share of the held-out truths inside the forecast's band)", ours.Coverage));
        output.WriteLine(string.Format(inv, "on the original scale: MSE {0:F4}, MAE {1:F4}, sMAPE {2:F2}%, MASE {3:F3}", ours.Mse, ours.Mae, ours.Smape, ours.Mase));
        output.WriteLine();
    }
}
