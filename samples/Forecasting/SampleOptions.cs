using System.Globalization;
using RnnMl.Torch.Forecasting;

namespace RnnMl.Samples.Forecasting;

/// <summary>What to do, parsed from the command line (see <see cref="HelpText"/>).</summary>
internal sealed record SampleOptions
{
    public const string HelpText = """
        usage: Forecasting [options]      train a recurrent forecaster (ForecastByRecurrent), score it against repeat-last,
                                          seasonal-naive and linear baselines on a held-out tail, save the model, draw a PNG

        data (default: a built-in generated hourly series, 3 channels, daily and weekly seasonality, trend, noise and a
        level shift, fixed seed; trains in seconds):
          --data FILE.csv     a CSV file with a header row, one row per time step in time order (e.g. ETTh1.csv)
          --target COL[,COL]  the channels to forecast (default: every numeric column of the file)
          --time-column C     the time column, skipped (default date; "none" if the file has none)
          --forward-fill      fill empty, NaN and infinite cells from the previous row instead of failing
          --test-fraction X   the held-out tail's share of the rows, never trained on (default 0.2)

        model and training:
          --mode M            independent (default: one sequence per channel, shared weights) or joint (one sequence of
                              all channels per step; a channel's forecast can use the others)
          --covariates        known covariates: hour of day and day of week (sine and cosine) of every row, from the time
                              column (the built-in series: hourly rows from a Monday 00:00)
          --lookback L        rows each forecast is made from, a multiple of --segment (default 168; ETT: 96 or 336)
          --horizon H         steps forecast at once (default 24; ETT: 96)
          --segment W         steps per segment the GRU reads as one input (default 24)
          --period P          the seasonal-naive baseline's period, at most L (default 24: a day of hours)
          --hidden-size D     GRU hidden size (default 64; the library default is 128)
          --epochs N          epochs at most, early stopping after 3 without a better validation loss (default 30)
          --minutes X         stop training after X minutes, keeping the best epoch so far
          --seed N            seed of the generated series and of training (default 1)

        output:
          --model FILE        where to save the model (default forecasting-model.zip; SaveRnnModel)
          --plot FILE         where to draw history, truth, forecast and 90% band of a few test windows (default forecast.png)
        """;

    public bool Help { get; init; }
    public string? DataPath { get; init; }
    public string[]? Targets { get; init; }
    public string? TimeColumn { get; init; } = "date";
    public bool ForwardFill { get; init; }
    public double TestFraction { get; init; } = 0.2;
    public int Lookback { get; init; } = 168;
    public int Horizon { get; init; } = 24;
    public int Segment { get; init; } = 24;
    public int Period { get; init; } = 24;
    public int HiddenSize { get; init; } = 64;
    public int Epochs { get; init; } = 30;
    public double? Minutes { get; init; }
    public int Seed { get; init; } = 1;
    public ForecasterChannelMode Mode { get; init; } = ForecasterChannelMode.Independent;
    public bool Covariates { get; init; }
    public string ModelPath { get; init; } = "forecasting-model.zip";
    public string PlotPath { get; init; } = "forecast.png";

    /// <summary>Parses the arguments.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value, named in the message.</exception>
    public static SampleOptions Parse(IReadOnlyList<string> args)
    {
        var o = new SampleOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--help" or "-h": o = o with { Help = true }; break;
                case "--data": o = o with { DataPath = Value() }; break;
                case "--target": o = o with { Targets = Columns("--target", Value()) }; break;
                case "--time-column": o = o with { TimeColumn = Value() is var t && t == "none" ? null : t }; break;
                case "--forward-fill": o = o with { ForwardFill = true }; break;
                case "--test-fraction": o = o with { TestFraction = Number("--test-fraction", Value(), 0, 1) }; break;
                case "--lookback": o = o with { Lookback = Int("--lookback", Value(), 1) }; break;
                case "--horizon": o = o with { Horizon = Int("--horizon", Value(), 1) }; break;
                case "--segment": o = o with { Segment = Int("--segment", Value(), 1) }; break;
                case "--period": o = o with { Period = Int("--period", Value(), 1) }; break;
                case "--hidden-size": o = o with { HiddenSize = Int("--hidden-size", Value(), 1) }; break;
                case "--epochs": o = o with { Epochs = Int("--epochs", Value(), 1) }; break;
                case "--minutes": o = o with { Minutes = Number("--minutes", Value(), 0, double.PositiveInfinity) }; break;
                case "--seed": o = o with { Seed = Int("--seed", Value(), 0) }; break;
                case "--mode":
                    o = o with
                    {
                        Mode = Value() switch
                        {
                            "independent" => ForecasterChannelMode.Independent,
                            "joint" => ForecasterChannelMode.Joint,
                            var m => throw new ArgumentException($"--mode needs independent or joint, got '{m}'"),
                        },
                    };
                    break;
                case "--covariates": o = o with { Covariates = true }; break;
                case "--model": o = o with { ModelPath = Value() }; break;
                case "--plot": o = o with { PlotPath = Value() }; break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }
        if (o.Targets is not null && o.DataPath is null)
            throw new ArgumentException("--target needs --data (the built-in series forecasts all its channels)");
        if (o.Covariates && o.DataPath is not null && o.TimeColumn is null)
            throw new ArgumentException("--covariates derives hour and day from the time column: give --time-column");
        if (o.Lookback % o.Segment != 0)
            throw new ArgumentException($"--lookback {o.Lookback} must be a multiple of --segment {o.Segment}");
        if (o.Period > o.Lookback)
            throw new ArgumentException($"--period {o.Period} must not exceed --lookback {o.Lookback} (the seasonal-naive baseline repeats the last period of the input)");
        return o;
    }

    private static string[] Columns(string name, string value)
    {
        var columns = value.Split(',', StringSplitOptions.TrimEntries);
        if (columns.Any(c => c.Length == 0)) throw new ArgumentException($"{name} needs column names separated by commas, got '{value}'");
        return columns;
    }

    private static int Int(string name, string value, int min)
        => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min ? v
            : throw new ArgumentException($"{name} needs a whole number of at least {min}, got '{value}'");

    /// <summary>A number in the open interval (min, max).</summary>
    private static double Number(string name, string value, double min, double max)
        => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > min && v < max ? v
            : throw new ArgumentException($"{name} needs a number in ({min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}), got '{value}'");
}
