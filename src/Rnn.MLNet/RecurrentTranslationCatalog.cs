using RnnMl.MLNet.Translation;

namespace RnnMl.MLNet;

/// <summary>Adds the recurrent translator (an attention encoder-decoder) to ML.NET's text transforms catalog.</summary>
/// <example>
/// <code>
/// var translator = ml.Transforms.Text.TranslateText(sourceColumnName: "Source", targetColumnName: "Target").Fit(pairs);
/// var scores = translator.Evaluate(testSources, testReferences); // BLEU, chrF, exact match
/// ml.Model.SaveRnnModel(translator, pairs.Schema, "translator.zip");
/// </code>
/// </example>
public static class RecurrentTranslationCatalog
{
    /// <summary>
    /// Trains a translator on pairs of sentences (String columns <paramref name="sourceColumnName"/> and
    /// <paramref name="targetColumnName"/>); the fitted transformer adds <paramref name="outputColumnName"/>, the
    /// translation of the source (String).
    /// </summary>
    /// <param name="catalog"><c>mlContext.Transforms.Text</c>.</param>
    /// <param name="outputColumnName">The added translation column. Default "Translation".</param>
    /// <param name="sourceColumnName">The source text column. Default "Source".</param>
    /// <param name="targetColumnName">The target text column (training only). Default "Target".</param>
    /// <param name="attention">The attention. Default Luong general.</param>
    /// <param name="hiddenSize">Encoder hidden size per direction. Default 128.</param>
    /// <param name="sourceTokenizer">Word, character or subword source tokens. Default word.</param>
    /// <param name="targetTokenizer">Word, character or subword target tokens. Default word.</param>
    /// <param name="epochs">Training epochs at most. Default 10.</param>
    /// <param name="beamWidth">Beam width for translation; 1 for greedy. Default 5.</param>
    public static RecurrentTranslatorEstimator TranslateText(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName = "Translation", string sourceColumnName = "Source", string targetColumnName = "Target",
        AttentionKind attention = AttentionKind.LuongGeneral, int hiddenSize = 128, TokenizerKind sourceTokenizer = TokenizerKind.Word,
        TokenizerKind targetTokenizer = TokenizerKind.Word, int epochs = 10, int beamWidth = 5)
        => TranslateText(catalog, new RecurrentTranslatorOptions
        {
            OutputColumnName = outputColumnName, SourceColumnName = sourceColumnName, TargetColumnName = targetColumnName,
            Attention = attention, HiddenSize = hiddenSize, SourceTokenizer = sourceTokenizer, TargetTokenizer = targetTokenizer,
            Epochs = epochs, BeamWidth = beamWidth,
        });

    /// <summary>Trains a translator with all options.</summary>
    /// <param name="catalog"><c>mlContext.Transforms.Text</c>.</param>
    /// <param name="options">The options; validated here.</param>
    public static RecurrentTranslatorEstimator TranslateText(this TransformsCatalog.TextTransforms catalog, RecurrentTranslatorOptions options)
        => new(EnvironmentAccess.From(catalog), options);
}
