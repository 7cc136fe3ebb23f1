namespace RnnMl.MLNet.Internal;

/// <summary>A cursor that computes its rows' added columns in batches of up to <c>batchSize</c>.</summary>
internal sealed class BatchedCursor<TIn, TOut> : DataViewRowCursor
{
    private readonly DataViewRowCursor main;
    private readonly DataViewRowCursor? ahead;
    private readonly IRowBinding<TIn, TOut> binding;
    private readonly bool[] activeOutputs;
    private readonly int batchSize;
    private readonly Func<TIn>? read;
    private IReadOnlyList<TOut> buffer = Array.Empty<TOut>();
    private int next;
    private TOut current = default!;
    private bool led;

    public BatchedCursor(DataViewRowCursor main, DataViewRowCursor? ahead, IRowBinding<TIn, TOut> binding, bool[] activeOutputs, int batchSize)
    {
        this.main = main;
        this.ahead = ahead;
        this.binding = binding;
        this.activeOutputs = activeOutputs;
        this.batchSize = batchSize;
        if (ahead is not null) read = binding.Lead > 0 ? binding.LeadReader(ahead) : binding.Reader(ahead);
    }

    public override DataViewSchema Schema => binding.Output;
    public override long Position => main.Position;
    public override long Batch => main.Batch;
    public override ValueGetter<DataViewRowId> GetIdGetter() => main.GetIdGetter();

    public override bool MoveNext()
    {
        if (!main.MoveNext()) return false;
        if (ahead is null) return true;
        if (next >= buffer.Count)
        {
            var batch = new List<TIn>(batchSize);
            // With a lead of k the ahead cursor first reads k rows, so its row r gives the input of the main cursor's row r − k.
            if (!led)
            {
                led = true;
                for (int i = 0; i < binding.Lead && ahead.MoveNext(); i++) read!();
            }
            while (batch.Count < batchSize && ahead.MoveNext()) batch.Add(read!());
            if (batch.Count == 0 && binding.Lead > 0) batch.Add(default!);   // the last rows: no rows after them to read
            if (batch.Count == 0)
                throw new InvalidOperationException("the input data view returned fewer rows on a second pass; scoring needs a data view that yields the same rows every time");
            buffer = binding.Compute(batch);
            next = 0;
        }
        current = buffer[next++];
        return true;
    }

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index < binding.Input.Count ? main.IsColumnActive(binding.Input[column.Index]) : activeOutputs[column.Index - binding.Input.Count];

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < binding.Input.Count) return main.GetGetter<TValue>(binding.Input[column.Index]);
        return binding.OutputGetter<TValue>(column, activeOutputs, () => current);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            main.Dispose();
            ahead?.Dispose();
        }
        base.Dispose(disposing);
    }
}
