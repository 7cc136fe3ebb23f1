using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using RnnMl.MLNet.Internal;
using RnnMl.MLNet.Pipeline;

namespace RnnMl.MLNet.Generation;

/// <summary>
/// Learns a recurrent language model (character-level by default) from a text column and gives a transformer that
/// continues the prompts of a prompt column. Created by <c>mlContext.Transforms.Text.GenerateText(...)</c>.
/// </summary>
/// <remarks>
/// The rows of the text column are read in order as one long text, a line break before each row; it is cut into
/// <see cref="RecurrentTextGeneratorOptions.Streams"/> contiguous streams trained with truncated BPTT. Validation (best
/// epoch, early stopping, bits per token in the log) uses the rows of the validation data, or the last
/// <see cref="RecurrentTextGeneratorOptions.ValidationFraction"/> of the rows.
/// </remarks>
/// <example>
/// <code>
/// var estimator = mlContext.Transforms.Text.GenerateText(textColumnName: "Text", promptColumnName: "Prompt");
/// using var generator = estimator.Fit(corpus);
/// var continued = generator.Transform(prompts); // adds the String column "GeneratedText"
/// </code>
/// </example>
public sealed class RecurrentTextGeneratorEstimator : RecurrentEstimator<RecurrentTextGeneratorOptions, RecurrentTextGeneratorTransformer>
{
    internal RecurrentTextGeneratorEstimator(IHostEnvironment env, RecurrentTextGeneratorOptions options)
        : base(env, options, "RnnMl.RecurrentTextGenerator")
    {
    }

    private protected override RecurrentTextGeneratorTransformer Run(IDataView trainData, IDataView? validationData, FitContext context) =>
        new GeneratorFit(Settings).Run(trainData, validationData, context);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not String, or the prompt column is present and not String.</exception>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        // The text column is what Fit needs; the prompt column, if the data has one, must be text too.
        ColumnCheck.RequireText(inputSchema, Settings.TextColumnName);
        ColumnCheck.RequireText(inputSchema, Settings.PromptColumnName, required: false);
        return SchemaShapes.Text(inputSchema, Settings.OutputColumnName);
    }
}
