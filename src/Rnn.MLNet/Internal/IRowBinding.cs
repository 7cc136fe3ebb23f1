using Microsoft.ML;
using Microsoft.ML.Data;

namespace RnnMl.MLNet.Internal;

/// <summary>
/// A transformer bound to one input schema, as the batched data view, its cursor and the row mapper need it: which
/// input column it reads, how a batch of those values becomes results, and the getters of the columns it adds.
/// </summary>
/// <typeparam name="TIn">What is read from the source column of one row (token ids, a prompt).</typeparam>
/// <typeparam name="TOut">What is computed for one row (logits, a generated text).</typeparam>
internal interface IRowBinding<TIn, TOut>
{
    DataViewSchema Input { get; }
    DataViewSchema Output { get; }

    /// <summary>The input column the results are computed from.</summary>
    DataViewSchema.Column SourceColumn { get; }

    /// <summary>The number of added columns (after the input's columns in <see cref="Output"/>).</summary>
    int OutputCount { get; }

    /// <summary>A reader of the current row's source value.</summary>
    Func<TIn> Reader(DataViewRow row);

    /// <summary>The results of a batch of rows, in order.</summary>
    IReadOnlyList<TOut> Compute(IReadOnlyList<TIn> rows);

    /// <summary>The getter of an added column, for a row or cursor whose active added columns are <paramref name="active"/>.</summary>
    ValueGetter<TValue> OutputGetter<TValue>(DataViewSchema.Column column, bool[] active, Func<TOut> current);
}
