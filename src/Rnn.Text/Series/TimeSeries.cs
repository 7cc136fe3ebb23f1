using System.Globalization;

namespace RnnMl.Text.Series;

/// <summary>
/// A multichannel time series held in memory: T rows (time steps, in order) by C channels, stored row-major in float64.
/// Built from a CSV file (<see cref="FromCsv(string, string?, bool)"/>) or from an array (<see cref="FromRows"/>).
/// </summary>
/// <remarks>
/// CSV format: a header row naming the columns, then one row per time step, comma-separated, no quoting. The time column
/// (e.g. <c>date</c>) is skipped; every other column is a numeric channel. A cell that is empty, NaN or ±∞ is missing:
/// by default an <see cref="InvalidDataException"/> names its data row (1-based, the header is row 0) and column; with
/// <c>forwardFill: true</c> it takes the value of the same channel in the previous row (a missing value in the first
/// data row is still an error, there is nothing to fill from). A cell that is not a number is always an error.
/// </remarks>
public sealed class TimeSeries
{
    private readonly double[] values;

    private TimeSeries(double[] values, int length, IReadOnlyList<string> channelNames)
    {
        this.values = values;
        Length = length;
        ChannelNames = channelNames;
    }

    /// <summary>T, the number of time steps (rows).</summary>
    public int Length { get; }

    /// <summary>C, the number of channels.</summary>
    public int Channels => ChannelNames.Count;

    /// <summary>The channel names, in column order (the time column excluded).</summary>
    public IReadOnlyList<string> ChannelNames { get; }

    /// <summary>The value at time step <paramref name="row"/> (0-based) and channel <paramref name="channel"/>.</summary>
    public double this[int row, int channel]
    {
        get
        {
            if ((uint)row >= (uint)Length) throw new ArgumentOutOfRangeException(nameof(row), row, $"row must be in [0, {Length})");
            if ((uint)channel >= (uint)Channels) throw new ArgumentOutOfRangeException(nameof(channel), channel, $"channel must be in [0, {Channels})");
            return values[row * Channels + channel];
        }
    }

    /// <summary>All values, shape (T, C) row-major: element (t, c) at index t·C + c.</summary>
    public ReadOnlySpan<double> Values => values;

    /// <summary>Rows <paramref name="start"/> .. <paramref name="start"/>+<paramref name="count"/>−1, shape (count, C) row-major.</summary>
    public ReadOnlySpan<double> Rows(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"rows [{start}, {start + count}) are outside the series' {Length} rows");
        return values.AsSpan(start * Channels, count * Channels);
    }

    /// <summary>Index of the channel called <paramref name="name"/> (ordinal comparison).</summary>
    /// <exception cref="ArgumentException">No channel has that name.</exception>
    public int ChannelIndex(string name)
    {
        for (int c = 0; c < Channels; c++)
            if (string.Equals(ChannelNames[c], name, StringComparison.Ordinal)) return c;
        throw new ArgumentException($"no channel '{name}'; channels are {string.Join(", ", ChannelNames)}", nameof(name));
    }

    /// <summary>A new series holding only the given channels, in the given order.</summary>
    public TimeSeries SelectChannels(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Length == 0) throw new ArgumentException("at least one channel is needed", nameof(names));
        var index = names.Select(ChannelIndex).ToArray();
        var result = new double[Length * index.Length];
        for (int t = 0; t < Length; t++)
            for (int k = 0; k < index.Length; k++)
                result[t * index.Length + k] = values[t * Channels + index[k]];
        return new TimeSeries(result, Length, names.ToArray());
    }

    /// <summary>A series from values of shape (T, C) row-major.</summary>
    /// <param name="values">T·C finite values, element (t, c) at index t·C + c; copied.</param>
    /// <param name="channelNames">C distinct names.</param>
    /// <exception cref="ArgumentException">The length is not a multiple of C, a name repeats, or a value is not finite.</exception>
    public static TimeSeries FromRows(ReadOnlySpan<double> values, IReadOnlyList<string> channelNames)
    {
        ArgumentNullException.ThrowIfNull(channelNames);
        int c = channelNames.Count;
        if (c == 0) throw new ArgumentException("at least one channel is needed", nameof(channelNames));
        if (channelNames.Distinct(StringComparer.Ordinal).Count() != c)
            throw new ArgumentException($"channel names must be distinct: {string.Join(", ", channelNames)}", nameof(channelNames));
        if (values.Length % c != 0)
            throw new ArgumentException($"{values.Length} values are not a whole number of rows of {c} channels", nameof(values));
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"value at row {i / c}, channel '{channelNames[i % c]}' is {values[i]}", nameof(values));
        return new TimeSeries(values.ToArray(), values.Length / c, channelNames.ToArray());
    }

    /// <summary>Reads a CSV file (format in the remarks of <see cref="TimeSeries"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="timeColumn">Name of the column to skip, or null when every column is a channel. Default <c>date</c>.</param>
    /// <param name="forwardFill">Fill empty, NaN and ±∞ cells from the previous row instead of throwing. Default false.</param>
    /// <exception cref="InvalidDataException">Naming the row and column of the first bad cell, or a malformed header or row.</exception>
    public static TimeSeries FromCsv(string path, string? timeColumn = "date", bool forwardFill = false)
    {
        using var reader = new StreamReader(path);
        return FromCsv(reader, timeColumn, forwardFill, path);
    }

    /// <summary>Reads CSV text from <paramref name="reader"/> (format in the remarks of <see cref="TimeSeries"/>).</summary>
    /// <param name="reader">The text, header first.</param>
    /// <param name="timeColumn">Name of the column to skip, or null when every column is a channel. Default <c>date</c>.</param>
    /// <param name="forwardFill">Fill empty, NaN and ±∞ cells from the previous row instead of throwing. Default false.</param>
    /// <param name="sourceName">Name used in error messages. Default <c>CSV</c>.</param>
    /// <exception cref="InvalidDataException">Naming the row and column of the first bad cell, or a malformed header or row.</exception>
    public static TimeSeries FromCsv(TextReader reader, string? timeColumn = "date", bool forwardFill = false, string sourceName = "CSV")
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = reader.ReadLine() ?? throw new InvalidDataException($"{sourceName}: empty, a header row is needed");
        var columns = header.Split(',').Select(s => s.Trim()).ToArray();
        int skip = -1;
        if (timeColumn is not null)
        {
            skip = Array.IndexOf(columns, timeColumn);
            if (skip < 0)
                throw new InvalidDataException($"{sourceName}: time column '{timeColumn}' is not in the header ({string.Join(", ", columns)})");
        }
        var names = columns.Where((_, i) => i != skip).ToArray();
        if (names.Length == 0) throw new InvalidDataException($"{sourceName}: no numeric column besides '{timeColumn}'");
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new InvalidDataException($"{sourceName}: column names repeat in the header ({header})");

        var data = new List<double>();
        int row = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (line.Length == 0) continue;
            row++;
            var cells = line.Split(',');
            if (cells.Length != columns.Length)
                throw new InvalidDataException($"{sourceName}: row {row} has {cells.Length} cells, the header has {columns.Length}");
            int c = 0;
            for (int i = 0; i < cells.Length; i++)
            {
                if (i == skip) continue;
                var text = cells[i].Trim();
                double v;
                if (text.Length == 0) v = double.NaN;
                else if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out v))
                    throw new InvalidDataException($"{sourceName}: row {row}, column '{names[c]}': '{text}' is not a number");
                if (!double.IsFinite(v))
                {
                    if (!forwardFill)
                        throw new InvalidDataException($"{sourceName}: row {row}, column '{names[c]}': missing or non-finite value '{text}' (forward-fill is off)");
                    if (row == 1)
                        throw new InvalidDataException($"{sourceName}: row {row}, column '{names[c]}': missing or non-finite value '{text}' in the first row, nothing to forward-fill from");
                    v = data[data.Count - names.Length];
                }
                data.Add(v);
                c++;
            }
        }
        if (row == 0) throw new InvalidDataException($"{sourceName}: a header but no data rows");
        return new TimeSeries(data.ToArray(), row, names);
    }
}
