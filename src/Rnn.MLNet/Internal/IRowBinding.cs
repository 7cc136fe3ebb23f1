namespace RnnMl.MLNet.Internal;

/// <summary>
/// A transformer bound to one input schema, as the batched data view, its cursor and the row mapper need it: which
/// input column it reads, how a batch of those values becomes results, and the getters of the columns it adds.
/// </summary>
/// <remarks>The non-generic <see cref="IRowBinding"/> is what a <see cref="Pipeline.RecurrentTransformer"/> holds.</remarks>
/// <typeparam name="TIn">What is read from the source column of one row (token ids, a prompt).</typeparam>
/// <typeparam name="TOut">What is computed for one row (logits, a generated text).</typeparam>
internal interface IRowBinding<TIn, TOut> : IRowBinding
{
    DataViewSchema Input { get; }

    /// <summary>The input column the results are computed from.</summary>
    DataViewSchema.Column SourceColumn { get; }

    /// <summary>Every input column <see cref="Reader"/> reads (a forecaster reads several); default <see cref="SourceColumn"/> alone.</summary>
    IReadOnlyList<DataViewSchema.Column> SourceColumns => [SourceColumn];

    /// <summary>The number of added columns (after the input's columns in <see cref="IRowBinding.Output"/>).</summary>
    int OutputCount { get; }

    /// <summary>A reader of the current row's source value.</summary>
    Func<TIn> Reader(DataViewRow row);

    /// <summary>How many rows after a row its result needs (a forecaster with known covariates reads the next H rows); 0 by
    /// default. With a lead of k, <c>Transform</c>'s cursor reads k rows ahead through <see cref="LeadReader"/>, whose value
    /// at row r is the input of row r − k; the last k rows get <c>default</c> inputs.</summary>
    int Lead => 0;

    /// <summary>The reader used with a <see cref="Lead"/> &gt; 0: at row r it gives the input of row r − <see cref="Lead"/>.</summary>
    Func<TIn> LeadReader(DataViewRow row) => Reader(row);

    /// <summary>The results of a batch of rows, in order.</summary>
    IReadOnlyList<TOut> Compute(IReadOnlyList<TIn> rows);

    /// <summary>The getter of added column <paramref name="output"/> (0-based, after the input's columns): a <c>ValueGetter</c>
    /// of the column's raw type that reads the current row's result through <paramref name="current"/>.</summary>
    Delegate Getter(int output, Func<TOut> current);

    /// <summary>The getter of an added column, for a row or cursor whose active added columns are <paramref name="active"/>;
    /// refuses an inactive column and a <typeparamref name="TValue"/> other than the column's raw type.</summary>
    ValueGetter<TValue> OutputGetter<TValue>(DataViewSchema.Column column, bool[] active, Func<TOut> current)
    {
        int k = column.Index - Input.Count;
        if (!active[k])
            throw new InvalidOperationException($"column '{column.Name}' is not active; ask for it when creating the row or cursor");
        return Getter(k, current) as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Invalid TValue in GetGetter for column '{column.Name}': expected {column.Type.RawType}, got {typeof(TValue)}");
    }

    IRowToRowMapper IRowBinding.Mapper() => new BindingRowMapper<TIn, TOut>(this);

    IDataView IRowBinding.View(IDataView input, int batchSize) => new BatchedDataView<TIn, TOut>(input, this, batchSize);
}

/// <summary>A transformer bound to one input schema, whatever it reads and computes: its output schema, its row mapper
/// (for <c>PredictionEngine</c>) and its batched view (for <c>Transform</c>).</summary>
internal interface IRowBinding
{
    DataViewSchema Output { get; }

    /// <summary>The row mapper over this binding.</summary>
    IRowToRowMapper Mapper();

    /// <summary>The batched view of <paramref name="input"/>, <paramref name="batchSize"/> rows per model call.</summary>
    IDataView View(IDataView input, int batchSize);

    /// <summary>The output schema: <paramref name="input"/>'s columns, then those <paramref name="add"/> adds.</summary>
    static DataViewSchema Extend(DataViewSchema input, Action<DataViewSchema.Builder> add)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        add(builder);
        return builder.ToSchema();
    }
}
