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
        Output = IRowBinding.Extend(input, builder => builder.AddColumn(outputColumnName, TextDataViewType.Instance));
    }

    public DataViewSchema Input { get; }
    public DataViewSchema Output { get; }
    public DataViewSchema.Column SourceColumn { get; }
    public int OutputCount => 1;

    public Func<long[]> Reader(DataViewRow row) => core.Source.MakeGetter(row, SourceColumn);

    public IReadOnlyList<string> Compute(IReadOnlyList<long[]> rows) => core.Translate(rows, batchSize);

    public Delegate Getter(int output, Func<string> current) => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = current().AsMemory());
}
