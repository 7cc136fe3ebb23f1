namespace RnnMl.MLNet.Translation;

/// <summary>How well a translator did on sentences with reference translations (see <see cref="RecurrentTranslatorTransformer.Evaluate"/>).</summary>
/// <param name="Bleu">Corpus BLEU-4, 0–100, as sacreBLEU computes it (13a tokenisation, exp smoothing).</param>
/// <param name="ChrF">Corpus chrF, 0–100.</param>
/// <param name="ExactMatch">The share of translations equal to their reference after the same tokenisation, 0–1.</param>
/// <param name="SentencesPerSecond">Translation speed over the whole call (batched).</param>
/// <param name="Translations">The translations, one per source, in order.</param>
public sealed record TranslationScores(double Bleu, double ChrF, double ExactMatch, double SentencesPerSecond, IReadOnlyList<string> Translations);
