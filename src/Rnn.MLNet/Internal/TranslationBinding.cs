namespace RnnMl.MLNet.Internal;

/// <summary>A translator bound to one input schema: the source column it reads and the String column it adds.</summary>
internal sealed class TranslationBinding : IRowBinding<long[], string>
{
    private readonly TranslatorCore core;
    private readonly int batchSize;

    public TranslationBinding(TranslatorCore core, string sourceColumnName, string outputColumnName, int batchSize, DataViewSchema input)
    {
        this.core = core;
        this.batchSize = batchSize;
        Input = input;
        SourceColumn = Pipeline.ColumnCheck.RequireText(input, sourceColumnName, "source");
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumn(outputColumnName, TextDataViewType.Instance);
        Output = builder.ToSchema();
    }

    public DataViewSchema Input { get; }
    public DataViewSchema Output { get; }
    public DataViewSchema.Column SourceColumn { get; }
    public int OutputCount => 1;

    public Func<long[]> Reader(DataViewRow row) => core.Source.MakeGetter(row, SourceColumn);

    public IReadOnlyList<string> Compute(IReadOnlyList<long[]> rows) => core.Translate(rows, batchSize);

    public ValueGetter<TValue> OutputGetter<TValue>(DataViewSchema.Column column, bool[] active, Func<string> current)
    {
        if (!active[column.Index - Input.Count])
            throw new InvalidOperationException($"column '{column.Name}' is not active; ask for it when creating the row or cursor");
        ValueGetter<ReadOnlyMemory<char>> getter = (ref ReadOnlyMemory<char> value) => value = current().AsMemory();
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Invalid TValue in GetGetter for column '{column.Name}': expected ReadOnlyMemory<char>, got {typeof(TValue)}");
    }
}
