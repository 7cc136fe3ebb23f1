using Microsoft.ML;
using Microsoft.ML.Data;

namespace RnnMl.MLNet.Internal;

/// <summary>The result of a text generator's <c>Transform</c>: the input's rows with the generated text, generated a batch of rows at a time.</summary>
internal sealed class GeneratedDataView : IDataView
{
    private readonly IDataView input;
    private readonly GenerationBinding binding;
    private readonly int batchSize;

    public GeneratedDataView(IDataView input, GenerationBinding binding, int batchSize)
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
        bool output = binding.WantsOutput(needed);
        var passThrough = needed.Where(c => c.Index < binding.InputCount).Select(c => binding.Input[c.Index]).ToList();
        var main = input.GetRowCursor(passThrough);
        // A second cursor reads the prompts ahead, so that a batch is generated at once while the main cursor serves the current row.
        var ahead = output ? input.GetRowCursor(new[] { binding.PromptColumn }) : null;
        return new Cursor(main, ahead, binding, batchSize);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor main;
        private readonly DataViewRowCursor? ahead;
        private readonly GenerationBinding binding;
        private readonly int batchSize;
        private readonly Func<string>? prompt;
        private IReadOnlyList<string> buffer = Array.Empty<string>();
        private int next;
        private string current = "";

        public Cursor(DataViewRowCursor main, DataViewRowCursor? ahead, GenerationBinding binding, int batchSize)
        {
            this.main = main;
            this.ahead = ahead;
            this.binding = binding;
            this.batchSize = batchSize;
            if (ahead is not null) prompt = binding.PromptGetter(ahead);
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
                var prompts = new List<string>(batchSize);
                while (prompts.Count < batchSize && ahead.MoveNext()) prompts.Add(prompt!());
                if (prompts.Count == 0)
                    throw new InvalidOperationException("the input data view returned fewer rows on a second pass; generation needs a data view that yields the same rows every time");
                buffer = binding.Generate(prompts);
                next = 0;
            }
            current = buffer[next++];
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < binding.InputCount ? main.IsColumnActive(binding.Input[column.Index]) : ahead is not null;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            binding.Getter<TValue>(main, column, ahead is not null, () => current);

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
}
