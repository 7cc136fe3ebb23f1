using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.Classification;

namespace RnnMl.MLNet.Internal;

/// <summary>A classifier bound to one input schema: where its input column is and what the output schema looks like.</summary>
internal sealed class ScoringBinding : IRowScorer<float[]>
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
        InputColumn = column;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        outputs.AddTo(builder);
        Output = builder.ToSchema();
    }

    public ClassifierCore Core { get; }
    public OutputColumns Outputs { get; }
    public DataViewSchema Input { get; }
    public DataViewSchema Output { get; }
    public DataViewSchema.Column InputColumn { get; }
    public int OutputCount => Outputs.Names.Length;

    public Func<long[]> MakeGetter(DataViewRow row) => Core.Encoder.MakeGetter(row, InputColumn);

    public float[][] Score(IReadOnlyList<long[]> batch) => Core.Logits(batch);

    public Delegate Getter(int outputIndex, Func<float[]> current) => Outputs.Getter(outputIndex, current);

    private static string Describe(InputColumnKind kind, int keyCount) => kind switch
    {
        InputColumnKind.Text => "String",
        InputColumnKind.Tokens => "Vector<String>",
        _ => $"Vector<Key<UInt32, 0-{keyCount - 1}>>",
    };
}
