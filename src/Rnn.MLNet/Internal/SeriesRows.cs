using RnnMl.Text.Series;

namespace RnnMl.MLNet.Internal;

/// <summary>Reads the target (and covariate) columns of a data view in row order as a multichannel series (rows are time steps).</summary>
internal static class SeriesRows
{
    /// <summary>Every row's values of the given columns, (T, C) row-major.</summary>
    /// <param name="data">The rows, in time order.</param>
    /// <param name="targets">The columns (targets, then covariates), each Single.</param>
    /// <param name="what">"training", "validation" or "evaluation", for messages.</param>
    /// <param name="forwardFill">Replace a NaN or ±∞ by the column's previous value (an error at row 0, nothing to fill from).</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or not Single (naming expected and actual types).</exception>
    /// <exception cref="InvalidDataException">A value is NaN or ±∞ (and not forward-filled), naming the first such row (0-based) and column.</exception>
    public static List<float[]> Read(IDataView data, IReadOnlyList<string> targets, string what, bool forwardFill = false)
    {
        var columns = targets.Select(name => ForecastingBinding.RequireSingle(data.Schema, name)).ToArray();
        var rows = new List<float[]>();
        using var cursor = data.GetRowCursor(columns);
        var getters = columns.Select(c => cursor.GetGetter<float>(c)).ToArray();
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            var values = new float[columns.Length];
            for (int j = 0; j < columns.Length; j++)
            {
                getters[j](ref values[j]);
                if (float.IsFinite(values[j])) continue;
                if (forwardFill && rows.Count > 0)
                    values[j] = rows[^1][j];
                else
                    throw new InvalidDataException(forwardFill
                        ? $"{what} row {row}: column '{targets[j]}' holds {values[j]} and has no earlier value to forward-fill from"
                        : $"{what} row {row}: column '{targets[j]}' holds {values[j]}; forecasting needs a finite value in every target and covariate column of every row (or MissingValues = ForwardFill)");
            }
            rows.Add(values);
        }
        return rows;
    }

    /// <summary>The rows' values <paramref name="first"/> .. <paramref name="first"/> + names.Count as a series with those names as channels.</summary>
    public static TimeSeries ToSeries(IReadOnlyList<float[]> rows, IReadOnlyList<string> targets, int first = 0)
    {
        int c = targets.Count;
        var values = new double[rows.Count * c];
        for (int t = 0; t < rows.Count; t++)
            for (int j = 0; j < c; j++) values[t * c + j] = rows[t][first + j];
        return TimeSeries.FromRows(values, targets);
    }

    /// <summary>The error for too few rows: states the count and lookback + horizon.</summary>
    public static ArgumentException TooFew(string parameter, string what, int rows, int lookback, int horizon, string? why = null) =>
        new($"{rows} {what} rows{why} are fewer than lookback + horizon = {lookback} + {horizon} = {lookback + horizon}; a forecaster needs at least one full window", parameter);
}
