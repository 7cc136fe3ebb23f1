using Microsoft.ML;
using Microsoft.ML.Data;

namespace RnnMl.MLNet.Internal;

/// <summary>One input row plus a model's outputs, computed once per row position and only when asked for.</summary>
internal sealed class MappedRow<TResult> : DataViewRow
{
    private readonly DataViewRow input;
    private readonly IRowScorer<TResult> binding;
    private readonly bool[] activeOutputs;
    private readonly Func<long[]>? ids;
    private long cachedPosition = -1;
    private TResult result = default!;

    public MappedRow(DataViewRow input, IRowScorer<TResult> binding, bool[] activeOutputs)
    {
        this.input = input;
        this.binding = binding;
        this.activeOutputs = activeOutputs;
        if (activeOutputs.Any(a => a)) ids = binding.MakeGetter(input);
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
        return binding.OutputGetter<TResult, TValue>(column, activeOutputs, Current);
    }

    private TResult Current()
    {
        if (input.Position != cachedPosition)
        {
            result = binding.Score(new[] { ids!() })[0];
            cachedPosition = input.Position;
        }
        return result;
    }
}
