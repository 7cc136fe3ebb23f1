namespace RnnMl.MLNet.Internal;

/// <summary>Row-by-row computation of a transformer's added columns, as <c>PredictionEngine</c> and composed row mappers need.</summary>
internal sealed class BindingRowMapper<TIn, TOut> : IRowToRowMapper
{
    private readonly IRowBinding<TIn, TOut> binding;

    public BindingRowMapper(IRowBinding<TIn, TOut> binding) => this.binding = binding;

    public DataViewSchema InputSchema => binding.Input;
    public DataViewSchema OutputSchema => binding.Output;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new HashSet<int>();
        foreach (var c in dependingColumns)
        {
            if (c.Index < binding.Input.Count) needed.Add(c.Index);
            else foreach (var s in binding.SourceColumns) needed.Add(s.Index);
        }
        return needed.OrderBy(i => i).Select(i => binding.Input[i]).ToList();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        var active = new bool[binding.OutputCount];
        foreach (var c in activeColumns)
            if (c.Index >= binding.Input.Count) active[c.Index - binding.Input.Count] = true;
        return new BoundRow<TIn, TOut>(input, binding, active);
    }
}
