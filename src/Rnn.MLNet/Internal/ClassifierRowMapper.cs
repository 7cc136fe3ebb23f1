using Microsoft.ML;
using Microsoft.ML.Data;

namespace RnnMl.MLNet.Internal;

/// <summary>Row-by-row scoring, as <c>PredictionEngine</c> and composed row mappers need.</summary>
internal sealed class ClassifierRowMapper : IRowToRowMapper
{
    private readonly ScoringBinding binding;

    public ClassifierRowMapper(ScoringBinding binding) => this.binding = binding;

    public DataViewSchema InputSchema => binding.Input;
    public DataViewSchema OutputSchema => binding.Output;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new HashSet<int>();
        foreach (var c in dependingColumns)
        {
            if (c.Index < binding.InputCount) needed.Add(c.Index);
            else needed.Add(binding.TextColumn.Index);
        }
        return needed.OrderBy(i => i).Select(i => binding.Input[i]).ToList();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        var active = new bool[binding.Outputs.Names.Length];
        foreach (var c in activeColumns)
            if (c.Index >= binding.InputCount) active[c.Index - binding.InputCount] = true;
        return new MappedRow(input, binding, active);
    }
}
