namespace RnnMl.MLNet.Internal;

/// <summary>One input row plus a transformer's added columns, computed once per row position and only when asked for.</summary>
internal sealed class BoundRow<TIn, TOut> : DataViewRow
{
    private readonly DataViewRow input;
    private readonly IRowBinding<TIn, TOut> binding;
    private readonly bool[] activeOutputs;
    private readonly Func<TIn>? read;
    private long cachedPosition = -1;
    private TOut result = default!;

    public BoundRow(DataViewRow input, IRowBinding<TIn, TOut> binding, bool[] activeOutputs)
    {
        this.input = input;
        this.binding = binding;
        this.activeOutputs = activeOutputs;
        if (activeOutputs.Any(a => a)) read = binding.Reader(input);
    }

    public override DataViewSchema Schema => binding.Output;
    public override long Position => input.Position;
    public override long Batch => input.Batch;
    public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index < binding.Input.Count ? input.IsColumnActive(binding.Input[column.Index]) : activeOutputs[column.Index - binding.Input.Count];

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < binding.Input.Count) return input.GetGetter<TValue>(binding.Input[column.Index]);
        return binding.OutputGetter<TValue>(column, activeOutputs, Current);
    }

    private TOut Current()
    {
        if (input.Position != cachedPosition)
        {
            result = binding.Compute(new[] { read!() })[0];
            cachedPosition = input.Position;
        }
        return result;
    }
}
