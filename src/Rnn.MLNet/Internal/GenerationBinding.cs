using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.Generation;

namespace RnnMl.MLNet.Internal;

/// <summary>A text generator bound to one input schema: where the prompt column is, the output schema, and generation of a batch of rows.</summary>
internal sealed class GenerationBinding
{
    public GenerationBinding(RecurrentTextGeneratorTransformer generator, DataViewSchema input)
    {
        Generator = generator;
        Input = input;
        PromptColumn = GeneratorColumns.RequireText(input, generator.PromptColumnName);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumn(generator.OutputColumnName, TextDataViewType.Instance);
        Output = builder.ToSchema();
    }

    public RecurrentTextGeneratorTransformer Generator { get; }
    public DataViewSchema Input { get; }
    public DataViewSchema Output { get; }
    public DataViewSchema.Column PromptColumn { get; }
    public int InputCount => Input.Count;

    /// <summary>The generated texts of a batch of prompts, every row with the transformer's seed.</summary>
    public IReadOnlyList<string> Generate(IReadOnlyList<string> prompts)
    {
        var seed = Generator.Sampling.Seed!.Value;
        return Generator.Generator.Generate(prompts, Generator.Sampling, Enumerable.Repeat(seed, prompts.Count).ToArray());
    }

    /// <summary>A getter that reads the current prompt of <paramref name="row"/>.</summary>
    public Func<string> PromptGetter(DataViewRow row)
    {
        var get = row.GetGetter<ReadOnlyMemory<char>>(PromptColumn);
        ReadOnlyMemory<char> value = default;
        return () => { get(ref value); return value.ToString(); };
    }

    /// <summary>Whether the added column is among <paramref name="columns"/>.</summary>
    public bool WantsOutput(IEnumerable<DataViewSchema.Column> columns) => columns.Any(c => c.Index >= InputCount);

    /// <summary>The getter of the added column over <paramref name="current"/>, or of an input column of <paramref name="row"/>.</summary>
    public ValueGetter<TValue> Getter<TValue>(DataViewRow row, DataViewSchema.Column column, bool outputActive, Func<string> current)
    {
        if (column.Index < InputCount) return row.GetGetter<TValue>(Input[column.Index]);
        if (!outputActive)
            throw new InvalidOperationException($"column '{column.Name}' is not active; ask for it when creating the row or cursor");
        ValueGetter<ReadOnlyMemory<char>> getter = (ref ReadOnlyMemory<char> v) => v = current().AsMemory();
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Invalid TValue in GetGetter for column '{column.Name}': expected ReadOnlyMemory<char>, got {typeof(TValue)}");
    }
}
