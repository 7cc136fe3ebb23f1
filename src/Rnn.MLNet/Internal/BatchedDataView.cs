namespace RnnMl.MLNet.Internal;

/// <summary>The result of <c>Transform</c>: the input's rows with a transformer's added columns, computed in batches.</summary>
internal sealed class BatchedDataView<TIn, TOut> : IDataView
{
    private readonly IDataView input;
    private readonly IRowBinding<TIn, TOut> binding;
    private readonly int batchSize;

    public BatchedDataView(IDataView input, IRowBinding<TIn, TOut> binding, int batchSize)
    {
        this.input = input;
        this.binding = binding;
        this.batchSize = batchSize;
    }

    public bool CanShuffle => false;
    public DataViewSchema Schema => binding.Output;
    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        int inputCount = binding.Input.Count;
        var active = new bool[binding.OutputCount];
        foreach (var c in needed)
            if (c.Index >= inputCount) active[c.Index - inputCount] = true;
        var passThrough = needed.Where(c => c.Index < inputCount).Select(c => binding.Input[c.Index]).ToList();
        var main = input.GetRowCursor(passThrough);
        // A second cursor runs ahead over the source column so that a whole batch can be computed at once while the
        // main cursor still serves the current row's pass-through columns.
        var ahead = active.Any(a => a) ? input.GetRowCursor(binding.SourceColumns) : null;
        return new BatchedCursor<TIn, TOut>(main, ahead, binding, active, batchSize);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded, rand) };
}
