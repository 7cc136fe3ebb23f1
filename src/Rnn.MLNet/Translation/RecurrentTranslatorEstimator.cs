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
        : base(env, options, "RnnMl.RecurrentTranslator", o => new TranslatorFit(o), TranslatorFit.OutputSchema)
    {
    }
}
