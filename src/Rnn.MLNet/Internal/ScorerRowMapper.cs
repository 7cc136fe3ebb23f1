using Microsoft.ML;
using Microsoft.ML.Data;

namespace RnnMl.MLNet.Internal;

/// <summary>Row-by-row scoring, as <c>PredictionEngine</c> and composed row mappers need.</summary>
internal sealed class ScorerRowMapper<TResult> : IRowToRowMapper
{
    private readonly IRowScorer<TResult> binding;

    public ScorerRowMapper(IRowScorer<TResult> binding) => this.binding = binding;

    public DataViewSchema InputSchema => binding.Input;
    public DataViewSchema OutputSchema => binding.Output;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new HashSet<int>();
        foreach (var c in dependingColumns)
        {
            if (c.Index < binding.Input.Count) needed.Add(c.Index);
            else needed.Add(binding.InputColumn.Index);
        }
        return needed.OrderBy(i => i).Select(i => binding.Input[i]).ToList();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedRow<TResult>(input, binding, binding.ActiveOutputs(activeColumns));
    }
}
