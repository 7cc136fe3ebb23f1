using Microsoft.ML;
using Microsoft.ML.Data;

namespace RnnMl.MLNet.Internal;

/// <summary>A translator bound to one input schema: the source column it reads and the String column it adds.</summary>
internal sealed class TranslationBinding : IRowScorer<string>
{
    private readonly TranslatorCore core;
    private readonly int batchSize;

    public TranslationBinding(TranslatorCore core, string sourceColumnName, string outputColumnName, int batchSize, DataViewSchema input)
    {
        this.core = core;
        this.batchSize = batchSize;
        Input = input;
        InputColumn = SourceColumn(input, sourceColumnName);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumn(outputColumnName, TextDataViewType.Instance);
        Output = builder.ToSchema();
    }

    public DataViewSchema Input { get; }
    public DataViewSchema Output { get; }
    public DataViewSchema.Column InputColumn { get; }
    public int OutputCount => 1;

    public Func<long[]> MakeGetter(DataViewRow row) => core.Source.MakeGetter(row, InputColumn);

    public string[] Score(IReadOnlyList<long[]> batch) => core.Translate(batch, batchSize);

    public Delegate Getter(int outputIndex, Func<string> current) =>
        (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = current().AsMemory());

    /// <summary>The String column <paramref name="name"/> of <paramref name="schema"/>, or a schema error naming expected and actual types.</summary>
    public static DataViewSchema.Column SourceColumn(DataViewSchema schema, string name, string what = "source")
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException("inputSchema", $"Could not find {what} column '{name}'");
        if (column.Type is not TextDataViewType)
            throw new ArgumentOutOfRangeException("inputSchema", $"Schema mismatch for {what} column '{name}': expected String, got {column.Type}");
        return column;
    }
}
