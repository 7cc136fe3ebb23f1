using Microsoft.ML;
using Microsoft.ML.Data;

namespace RnnMl.MLNet.Internal;

/// <summary>The columns of a text generator: the prompt it reads, the text it adds, and the training text column (kept for the record).</summary>
internal sealed record GeneratorColumns(string Prompt, string Output, string TrainingText)
{
    /// <summary>The String column <paramref name="name"/> of <paramref name="schema"/>, or a schema error naming the expected and actual types.</summary>
    public static DataViewSchema.Column RequireText(DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException("inputSchema", $"Could not find input column '{name}'");
        if (column.Type is not TextDataViewType)
            throw new ArgumentOutOfRangeException("inputSchema", $"Schema mismatch for input column '{name}': expected String, got {column.Type}");
        return column;
    }
}
