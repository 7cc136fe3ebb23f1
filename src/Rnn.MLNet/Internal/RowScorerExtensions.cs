using Microsoft.ML;
using Microsoft.ML.Data;

namespace RnnMl.MLNet.Internal;

/// <summary>What the cursors and rows of every <see cref="IRowScorer{TResult}"/> share.</summary>
internal static class RowScorerExtensions
{
    /// <summary>Which added columns are among <paramref name="columns"/>.</summary>
    public static bool[] ActiveOutputs<TResult>(this IRowScorer<TResult> scorer, IEnumerable<DataViewSchema.Column> columns)
    {
        var active = new bool[scorer.OutputCount];
        foreach (var c in columns)
            if (c.Index >= scorer.Input.Count) active[c.Index - scorer.Input.Count] = true;
        return active;
    }

    /// <summary>The getter of an added column, for a row or cursor whose active added columns are <paramref name="active"/>.</summary>
    public static ValueGetter<TValue> OutputGetter<TResult, TValue>(this IRowScorer<TResult> scorer, DataViewSchema.Column column, bool[] active, Func<TResult> current)
    {
        int k = column.Index - scorer.Input.Count;
        if (!active[k])
            throw new InvalidOperationException($"column '{column.Name}' is not active; ask for it when creating the row or cursor");
        return scorer.Getter(k, current) as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Invalid TValue in GetGetter for column '{column.Name}': expected {column.Type.RawType}, got {typeof(TValue)}");
    }
}
