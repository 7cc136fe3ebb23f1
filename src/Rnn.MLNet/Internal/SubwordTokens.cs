namespace RnnMl.MLNet.Internal;

/// <summary>
/// The one place where the text tasks' fits turn on <see cref="TokenizerKind.Subword"/>: rows are read with the word
/// tokenizer of the same case and normalisation (subwords are learned over its words), the model is learned from the
/// training words only, and the vocabulary is the model's tokens (<see cref="SubwordModel.ToVocabulary"/>) instead of
/// the counted tokens.
/// </summary>
internal static class SubwordTokens
{
    /// <summary>The tokenizer rows are read with before anything is learned: word tokens for subwords, else the kind itself.</summary>
    public static Tokenizer Reading(TokenizerKind kind, bool lowerCase, TextNormalization normalization) =>
        Tokenizer.Create(kind == TokenizerKind.Subword ? TokenizerKind.Word : kind, lowerCase, normalization);

    /// <summary>A subword tokenizer learned from the words of the training rows.</summary>
    public static Tokenizer Learn(IEnumerable<IEnumerable<string>> trainingWords, RecurrentTextOptions options, IChannel channel, string what = "")
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in trainingWords)
            foreach (var word in row)
                counts[word] = counts.GetValueOrDefault(word) + 1;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var model = SubwordModel.LearnFromWords(counts, options.SubwordVocabularySize);
        channel.Info(MessageSensitivity.None, $"{what}subwords: {model.VocabularySize} tokens ({model.Merges.Count} merges) from {counts.Count} distinct words in {watch.Elapsed.TotalSeconds:F1} s"
            + (model.StopReason is { } why ? $"; fewer than SubwordVocabularySize = {options.SubwordVocabularySize} because {why}" : ""));
        return Tokenizer.Create(TokenizerKind.Subword, options.LowerCase, options.Normalization, model);
    }

    /// <summary>A subword tokenizer learned from raw texts cut by <paramref name="reading"/> (a word tokenizer).</summary>
    public static Tokenizer Learn(IEnumerable<string?> trainingTexts, Tokenizer reading, RecurrentTextOptions options, IChannel channel, string what = "") =>
        Learn(trainingTexts.Select(t => reading.Tokenize(t)), options, channel, what);

    /// <summary>Words cut into the pieces of <paramref name="tokenizer"/>; the words themselves for other kinds.</summary>
    public static string[] Pieces(Tokenizer tokenizer, IEnumerable<string> words) =>
        tokenizer.Subwords is { } model ? words.SelectMany(model.Segment).ToArray() : words.ToArray();

    /// <summary>The vocabulary: all subword tokens for a subword tokenizer, else the counted tokens of <paramref name="corpus"/>.</summary>
    public static Vocabulary Vocabulary(Tokenizer tokenizer, Func<IEnumerable<IEnumerable<string>>> corpus, int minCount, int? maxSize, IReadOnlyList<string>? specialTokens = null) =>
        tokenizer.Subwords is { } model ? model.ToVocabulary(specialTokens) : RnnMl.Text.Vocabulary.Build(corpus(), minCount, maxSize, specialTokens);
}
