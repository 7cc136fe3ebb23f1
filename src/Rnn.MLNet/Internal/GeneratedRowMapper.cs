using Microsoft.ML;
using Microsoft.ML.Data;

namespace RnnMl.MLNet.Internal;

/// <summary>Row-by-row generation, as <c>PredictionEngine</c> and composed row mappers need.</summary>
internal sealed class GeneratedRowMapper : IRowToRowMapper
{
    private readonly GenerationBinding binding;

    public GeneratedRowMapper(GenerationBinding binding) => this.binding = binding;

    public DataViewSchema InputSchema => binding.Input;
    public DataViewSchema OutputSchema => binding.Output;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new HashSet<int>();
        foreach (var c in dependingColumns)
            needed.Add(c.Index < binding.InputCount ? c.Index : binding.PromptColumn.Index);
        return needed.OrderBy(i => i).Select(i => binding.Input[i]).ToList();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new Row(input, binding, binding.WantsOutput(activeColumns));
    }

    /// <summary>One input row plus its generated text, generated once per row position and only when asked for.</summary>
    private sealed class Row : DataViewRow
    {
        private readonly DataViewRow input;
        private readonly GenerationBinding binding;
        private readonly bool outputActive;
        private readonly Func<string>? prompt;
        private long cachedPosition = -1;
        private string text = "";

        public Row(DataViewRow input, GenerationBinding binding, bool outputActive)
        {
            this.input = input;
            this.binding = binding;
            this.outputActive = outputActive;
            if (outputActive) prompt = binding.PromptGetter(input);
        }

        public override DataViewSchema Schema => binding.Output;
        public override long Position => input.Position;
        public override long Batch => input.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < binding.InputCount ? input.IsColumnActive(binding.Input[column.Index]) : outputActive;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => binding.Getter<TValue>(input, column, outputActive, Current);

        private string Current()
        {
            if (input.Position != cachedPosition)
            {
                text = binding.Generate(new[] { prompt!() })[0];
                cachedPosition = input.Position;
            }
            return text;
        }
    }
}
