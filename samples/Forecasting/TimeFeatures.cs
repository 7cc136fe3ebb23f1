using System.Globalization;
using RnnMl.Text.Series;

namespace RnnMl.Samples.Forecasting;

/// <summary>Known covariates derived from the time of each row: hour of day and day of week, each as a sine and cosine
/// pair (so 23:00 is next to 00:00 and Sunday next to Monday), known for future rows as for past ones.</summary>
internal static class TimeFeatures
{
    /// <summary>The covariates' names, in column order.</summary>
    public static readonly string[] Names = ["HourSin", "HourCos", "DaySin", "DayCos"];

    /// <summary>The covariates of hourly rows starting on a Monday at 00:00 (the built-in series).</summary>
    public static TimeSeries Hourly(int length)
        => Of(Enumerable.Range(0, length).Select(t => new DateTime(2024, 1, 1).AddHours(t)).ToList());

    /// <summary>The covariates of the times in a CSV file's time column (one per data row, in order).</summary>
    /// <exception cref="InvalidDataException">No such column, a time that does not parse (naming the line), or a row count other than <paramref name="rows"/>.</exception>
    public static TimeSeries FromCsv(string path, string timeColumn, int rows)
    {
        using var reader = new StreamReader(path);
        var header = (reader.ReadLine() ?? "").Split(',').Select(h => h.Trim().Trim('"')).ToList();
        int column = header.IndexOf(timeColumn);
        if (column < 0) throw new InvalidDataException($"{path}: no time column '{timeColumn}' for --covariates (columns: {string.Join(", ", header)})");
        var times = new List<DateTime>();
        int line = 1;
        for (string? text; (text = reader.ReadLine()) is not null;)
        {
            line++;
            if (text.Length == 0) continue;
            var cells = text.Split(',');
            if (column >= cells.Length || !DateTime.TryParse(cells[column].Trim().Trim('"'), CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                throw new InvalidDataException($"{path}, line {line}: '{(column < cells.Length ? cells[column] : "")}' in column '{timeColumn}' is not a date and time");
            times.Add(time);
        }
        if (times.Count != rows)
            throw new InvalidDataException($"{path}: {times.Count} times in column '{timeColumn}' but {rows} data rows");
        return Of(times);
    }

    /// <summary>The targets' channels followed by the covariates' channels, row by row.</summary>
    public static TimeSeries Append(TimeSeries targets, TimeSeries covariates)
    {
        int c = targets.Channels, k = covariates.Channels;
        var values = new double[targets.Length * (c + k)];
        for (int t = 0; t < targets.Length; t++)
        {
            targets.Rows(t, 1).CopyTo(values.AsSpan(t * (c + k), c));
            covariates.Rows(t, 1).CopyTo(values.AsSpan(t * (c + k) + c, k));
        }
        return TimeSeries.FromRows(values, targets.ChannelNames.Concat(covariates.ChannelNames).ToArray());
    }

    private static TimeSeries Of(IReadOnlyList<DateTime> times)
    {
        var values = new double[times.Count * Names.Length];
        for (int t = 0; t < times.Count; t++)
        {
            double hour = 2 * Math.PI * (times[t].Hour + times[t].Minute / 60.0) / 24;
            double day = 2 * Math.PI * (((int)times[t].DayOfWeek + 6) % 7) / 7;   // Monday 0 … Sunday 6
            (values[t * 4], values[t * 4 + 1], values[t * 4 + 2], values[t * 4 + 3]) = (Math.Sin(hour), Math.Cos(hour), Math.Sin(day), Math.Cos(day));
        }
        return TimeSeries.FromRows(values, Names);
    }
}
