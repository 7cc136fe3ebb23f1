using RnnMl.MLNet.Generation;

namespace RnnMl.MLNet.Internal;

/// <summary>A text generator bound to one input schema: where the prompt column is, the output schema, and generation of a batch of rows.</summary>
internal sealed class GenerationBinding : IRowBinding<string, string>
{
    public GenerationBinding(RecurrentTextGeneratorTransformer generator, DataViewSchema input)
    {
        Generator = generator;
        Input = input;
        SourceColumn = Pipeline.ColumnCheck.RequireText(input, generator.PromptColumnName);
        Output = IRowBinding.Extend(input, builder => builder.AddColumn(generator.OutputColumnName, TextDataViewType.Instance));
    }

    public RecurrentTextGeneratorTransformer Generator { get; }
    public DataViewSchema Input { get; }
    public DataViewSchema Output { get; }
    public DataViewSchema.Column SourceColumn { get; }
    public int OutputCount => 1;

    /// <summary>The generated texts of a batch of prompts, every row with the transformer's seed.</summary>
    public IReadOnlyList<string> Compute(IReadOnlyList<string> rows)
    {
        using var lease = Generator.Guard.Enter();
        var seed = Generator.Sampling.Seed!.Value;
        return Generator.Generator.Generate(rows, Generator.Sampling, Enumerable.Repeat(seed, rows.Count).ToArray());
    }

    public Func<string> Reader(DataViewRow row)
    {
        var get = row.GetGetter<ReadOnlyMemory<char>>(SourceColumn);
        ReadOnlyMemory<char> value = default;
        return () => { get(ref value); return value.ToString(); };
    }

    public Delegate Getter(int output, Func<string> current) => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = current().AsMemory());
}
