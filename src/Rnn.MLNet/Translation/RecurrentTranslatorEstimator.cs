using Microsoft.ML;
using Microsoft.ML.Runtime;
using RnnMl.MLNet.Internal;
using RnnMl.MLNet.Pipeline;

namespace RnnMl.MLNet.Translation;

/// <summary>
/// Trains an attention encoder-decoder (seq2seq) on pairs of sentences inside an ML.NET pipeline; the transformer adds
/// the translated text. Created by <c>mlContext.Transforms.Text.TranslateText(...)</c>. The best epoch is the one with
/// the lowest validation loss.
/// </summary>
/// <example>
/// <code>
/// var estimator = mlContext.Transforms.Text.TranslateText(sourceColumnName: "Source", targetColumnName: "Target");
/// using var translator = estimator.Fit(pairs);
/// var translated = translator.Transform(sentences); // adds the String column "Translation"
/// </code>
/// </example>
public sealed class RecurrentTranslatorEstimator : RecurrentEstimator<RecurrentTranslatorOptions, RecurrentTranslatorTransformer>
{
    internal RecurrentTranslatorEstimator(IHostEnvironment env, RecurrentTranslatorOptions options)
        : base(env, options, "RnnMl.RecurrentTranslator")
    {
    }

    private protected override RecurrentTranslatorTransformer Run(IDataView trainData, IDataView? validationData, FitContext context) =>
        new TranslatorFit(Settings).Run(trainData, validationData, context);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The source or target column is missing or not String.</exception>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ColumnCheck.RequireText(inputSchema, Settings.SourceColumnName, "source");
        ColumnCheck.RequireText(inputSchema, Settings.TargetColumnName, "target");
        return SchemaShapes.Text(inputSchema, Settings.OutputColumnName);
    }
}
