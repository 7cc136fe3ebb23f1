using RnnMl.MLNet.Classification;

namespace RnnMl.MLNet.Internal;

/// <summary>A classifier bound to one input schema: where its input column is and what the output schema looks like.</summary>
internal sealed class ScoringBinding : IRowBinding<long[], float[]>
{
    public ScoringBinding(ClassifierCore core, OutputColumns outputs, string textColumnName, DataViewSchema input)
    {
        Core = core;
        Outputs = outputs;
        Input = input;
        var column = input.GetColumnOrNull(textColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"Could not find input column '{textColumnName}'");
        var kind = TokenEncoder.Classify(column.Type, textColumnName, out int keyCount);
        if (kind != core.Encoder.Kind || (kind == InputColumnKind.Keys && keyCount != core.Encoder.KeyCount))
            throw new ArgumentOutOfRangeException(nameof(input),
                $"Schema mismatch for input column '{textColumnName}': expected {Describe(core.Encoder.Kind, core.Encoder.KeyCount)} (as in training), got {column.Type}");
        TextColumn = column;
        Output = IRowBinding.Extend(input, builder => outputs.AddTo(builder));
    }

    public ClassifierCore Core { get; }
    public OutputColumns Outputs { get; }
    public DataViewSchema Input { get; }
    public DataViewSchema Output { get; }
    public DataViewSchema.Column TextColumn { get; }
    public DataViewSchema.Column SourceColumn => TextColumn;
    public int OutputCount => Outputs.Names.Length;

    public Func<long[]> Reader(DataViewRow row) => Core.Encoder.MakeGetter(row, TextColumn);

    public IReadOnlyList<float[]> Compute(IReadOnlyList<long[]> rows) => Core.Logits(rows);

    /// <summary>The getter of added column <paramref name="k"/>: <see cref="OutputColumns.Getter"/>.</summary>
    public Delegate Getter(int k, Func<float[]> logits) => Outputs.Getter(k, logits);

    private static string Describe(InputColumnKind kind, int keyCount) => kind switch
    {
        InputColumnKind.Text => "String",
        InputColumnKind.Tokens => "Vector<String>",
        _ => $"Vector<Key<UInt32, 0-{keyCount - 1}>>",
    };
}
