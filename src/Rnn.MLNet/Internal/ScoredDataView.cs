using Microsoft.ML;

namespace RnnMl.MLNet.Internal;

/// <summary>The result of <c>Transform</c>: the input's rows with the classifier's outputs, scored in batches.</summary>
internal sealed class ScoredDataView : IDataView
{
    private readonly IDataView input;
    private readonly ScoringBinding binding;
    private readonly int batchSize;

    public ScoredDataView(IDataView input, ScoringBinding binding, int batchSize)
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
        var active = new bool[binding.Outputs.Names.Length];
        foreach (var c in needed)
            if (c.Index >= binding.InputCount) active[c.Index - binding.InputCount] = true;
        var passThrough = needed.Where(c => c.Index < binding.InputCount).Select(c => binding.Input[c.Index]).ToList();
        var main = input.GetRowCursor(passThrough);
        // A second cursor runs ahead over the input column so that a whole batch can be scored at once while the
        // main cursor still serves the current row's pass-through columns.
        var ahead = active.Any(a => a) ? input.GetRowCursor(new[] { binding.TextColumn }) : null;
        return new ScoredCursor(main, ahead, binding, active, batchSize);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded, rand) };
}
