using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.Text.Series;

namespace RnnMl.Samples.Forecasting;

/// <summary>Turns rows of a <see cref="TimeSeries"/> into an ML.NET data view: one <c>Single</c> column per channel,
/// named like the channel, rows in time order (as <c>ForecastByRecurrent</c> reads them).</summary>
internal static class SeriesData
{
    /// <summary>The most channels a data view here can hold (the fields of <see cref="Row"/>).</summary>
    public const int MaxChannels = 16;

    /// <summary>Rows [start, start + count) of the series as a data view.</summary>
    public static IDataView ToDataView(MLContext ml, TimeSeries series, int start, int count)
    {
        int c = series.Channels;
        if (c > MaxChannels)
            throw new ArgumentException($"the sample forecasts at most {MaxChannels} channels, got {c}: choose some with --target");
        var schema = SchemaDefinition.Create(typeof(Row));
        schema.RemoveRange(c, schema.Count - c);
        for (int j = 0; j < c; j++) schema[j].ColumnName = series.ChannelNames[j];
        var rows = new Row[count];
        for (int t = 0; t < count; t++)
        {
            var values = series.Rows(start + t, 1);
            var row = new Row();
            for (int j = 0; j < c; j++) row.Set(j, (float)values[j]);
            rows[t] = row;
        }
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>Rows [start, start + count) as float arrays (one value per channel), for <c>Forecast(history)</c>.</summary>
    public static List<float[]> Floats(TimeSeries series, int start, int count)
    {
        var list = new List<float[]>(count);
        for (int t = 0; t < count; t++)
        {
            var values = series.Rows(start + t, 1);
            var row = new float[series.Channels];
            for (int j = 0; j < row.Length; j++) row[j] = (float)values[j];
            list.Add(row);
        }
        return list;
    }

    /// <summary>Rows [start, start + count) as a series of their own.</summary>
    public static TimeSeries Slice(TimeSeries series, int start, int count)
        => TimeSeries.FromRows(series.Rows(start, count), series.ChannelNames);

    /// <summary>A row of up to 16 channels; the schema keeps the first C fields and renames them.</summary>
    private sealed class Row
    {
        public float C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13, C14, C15;

        public void Set(int j, float v)
        {
            switch (j)
            {
                case 0: C0 = v; break; case 1: C1 = v; break; case 2: C2 = v; break; case 3: C3 = v; break;
                case 4: C4 = v; break; case 5: C5 = v; break; case 6: C6 = v; break; case 7: C7 = v; break;
                case 8: C8 = v; break; case 9: C9 = v; break; case 10: C10 = v; break; case 11: C11 = v; break;
                case 12: C12 = v; break; case 13: C13 = v; break; case 14: C14 = v; break; default: C15 = v; break;
            }
        }
    }
}
