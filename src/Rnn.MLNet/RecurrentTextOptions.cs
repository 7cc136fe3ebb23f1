namespace RnnMl.MLNet;

/// <summary>The options every RnnMl estimator with text input shares: normalisation, case, rare tokens and the token embedding.</summary>
public abstract class RecurrentTextOptions : RecurrentTrainingOptions
{
    /// <summary>Unicode normalisation of the text (and of text tokens and prompts). Default NFKC.</summary>
    public TextNormalization Normalization { get; set; } = TextNormalization.NFKC;

    /// <summary>Tokens seen fewer times in the training data map to the unknown token (which is never generated). Default 1
    /// (2 for the classifier and the tagger, whose unknown-word embedding then learns from the words seen once).</summary>
    public int MinTokenCount { get; set; } = 1;

    /// <summary>Lower-case the text and text tokens. Default true (false for the text generator: a character model learns capitals too).</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary>Token embedding width. Default 128 (64 for the text generator, 256 for the translator).</summary>
    public int EmbeddingSize { get; set; } = 128;

    /// <summary>With <see cref="TokenizerKind.Subword"/> tokens: the number of subword tokens the byte-pair encoding learns
    /// from the training text (<see cref="SubwordModel.Learn"/>); the model then has exactly this many token ids plus the
    /// reserved ones (fewer only when the training text runs out of pairs seen twice), and
    /// <see cref="MinTokenCount"/> and the maximum vocabulary size do not apply. Ignored for word and character tokens. Default 8,000.</summary>
    public int SubwordVocabularySize { get; set; } = 8_000;

    /// <summary>Checks the text options, then the shared ones.</summary>
    private protected void ValidateText()
    {
        if (MinTokenCount < 1)
            throw new ArgumentOutOfRangeException(nameof(MinTokenCount), MinTokenCount, $"minimum token count must be at least 1, got {MinTokenCount}");
        if (SubwordVocabularySize < 1)
            throw new ArgumentOutOfRangeException(nameof(SubwordVocabularySize), SubwordVocabularySize, $"subword vocabulary size must be at least 1, got {SubwordVocabularySize}");
        if (!Enum.IsDefined(Normalization))
            throw new ArgumentOutOfRangeException(nameof(Normalization), Normalization, $"normalization must be None, NFC or NFKC, got {Normalization}");
        ValidateShared();
    }
}
