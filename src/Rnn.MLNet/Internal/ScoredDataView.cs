using Microsoft.ML;

namespace RnnMl.MLNet.Internal;

/// <summary>The result of <c>Transform</c>: the input's rows with a model's outputs, computed in batches.</summary>
internal sealed class ScoredDataView<TResult> : IDataView
{
    private readonly IDataView input;
    private readonly IRowScorer<TResult> binding;
    private readonly int batchSize;

    public ScoredDataView(IDataView input, IRowScorer<TResult> binding, int batchSize)
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
        var active = binding.ActiveOutputs(needed);
        var passThrough = needed.Where(c => c.Index < binding.Input.Count).Select(c => binding.Input[c.Index]).ToList();
        var main = input.GetRowCursor(passThrough);
        // A second cursor runs ahead over the input column so that a whole batch can be scored at once while the
        // main cursor still serves the current row's pass-through columns.
        var ahead = active.Any(a => a) ? input.GetRowCursor(new[] { binding.InputColumn }) : null;
        return new ScoredCursor<TResult>(main, ahead, binding, active, batchSize);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded, rand) };
}
