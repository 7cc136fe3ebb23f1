using RnnMl.Text.Series;

namespace RnnMl.Samples.Forecasting;

/// <summary>The built-in series: hourly rows of three channels, each a level plus a trend, a daily cycle, a weekly
/// pattern (quieter weekends), a level shift and Gaussian noise; the same seed gives the same series.</summary>
internal static class GeneratedSeries
{
    /// <summary>Twelve weeks of hours.</summary>
    public const int DefaultLength = 12 * 7 * 24;

    /// <summary>The channels' names.</summary>
    public static readonly string[] Names = ["Load", "Temperature", "Traffic"];

    // Per channel: level, trend per hour, daily amplitude, daily phase, weekend drop, weekly swing, shift, noise std.
    private static readonly double[,] Shape =
    {
        { 50, 0.004, 12, 0.0, 8, 3, 6, 1.5 },
        { 15, 0.001, 5, 1.2, 0, 2, -3, 0.8 },
        { 30, -0.002, 10, 2.4, 12, 4, 5, 2.0 },
    };

    /// <summary>Generates <paramref name="length"/> rows; the level shift starts at 55 % of the rows.</summary>
    public static TimeSeries Generate(int length = DefaultLength, int seed = 1)
    {
        var random = new Random(seed);
        int c = Names.Length, shiftAt = (int)(length * 0.55);
        var values = new double[length * c];
        for (int t = 0; t < length; t++)
        {
            int day = t / 24 % 7;
            bool weekend = day >= 5;
            for (int j = 0; j < c; j++)
            {
                double daily = Shape[j, 2] * Math.Sin(2 * Math.PI * t / 24 + Shape[j, 3]);
                double weekly = Shape[j, 5] * Math.Sin(2 * Math.PI * t / 168) - (weekend ? Shape[j, 4] : 0);
                double shift = t >= shiftAt ? Shape[j, 6] : 0;
                values[t * c + j] = Shape[j, 0] + Shape[j, 1] * t + daily + weekly + shift + Shape[j, 7] * Gaussian(random);
            }
        }
        return TimeSeries.FromRows(values, Names);
    }

    private static double Gaussian(Random random)
        => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
