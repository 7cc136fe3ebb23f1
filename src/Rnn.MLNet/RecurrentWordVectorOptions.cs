namespace RnnMl.MLNet;

/// <summary>
/// The text options of the estimators whose word embedding can start from pretrained word vectors (the text classifier
/// and the sequence tagger), declared and validated once: the vector file, its format, and whether the embedding then
/// stays frozen. The vectors only initialise the embedding: a saved model holds the trained table, not the file.
/// </summary>
public abstract class RecurrentWordVectorOptions : RecurrentTextOptions
{
    /// <summary>
    /// A pretrained word-vector file (word2vec text or binary, GloVe, fastText .vec) that initialises the embedding: rows
    /// of vocabulary tokens found in it (after the same normalisation and case rule as the text, see
    /// <see cref="RecurrentTextOptions.LowerCase"/>) take its vectors, the others start random on the same scale. Its
    /// dimension must equal <see cref="RecurrentTextOptions.EmbeddingSize"/> (else Fit throws an
    /// <see cref="InvalidDataException"/> naming the file, the line and both sizes). The classifier needs a text or
    /// text-token input column for it (keys have no words to match). Null for none. Default null.
    /// </summary>
    public string? PretrainedVectorsPath { get; set; }

    /// <summary>The layout of <see cref="PretrainedVectorsPath"/>. Default Auto (word2vec binary for *.bin, text otherwise).</summary>
    public WordVectorFormat PretrainedVectorsFormat { get; set; } = WordVectorFormat.Auto;

    /// <summary>Keep the pretrained embedding fixed in training (true) or fine-tune it (false). Default false.</summary>
    public bool FreezePretrainedVectors { get; set; }

    /// <summary>Checks the pretrained-vector options.</summary>
    private protected void ValidatePretrainedVectors()
    {
        if (PretrainedVectorsPath is not null && string.IsNullOrWhiteSpace(PretrainedVectorsPath))
            throw new ArgumentException($"pretrained vectors path must name a file (or be null for none), got '{PretrainedVectorsPath}'", nameof(PretrainedVectorsPath));
        if (!Enum.IsDefined(PretrainedVectorsFormat))
            throw new ArgumentOutOfRangeException(nameof(PretrainedVectorsFormat), PretrainedVectorsFormat, $"pretrained vectors format must be Auto, Text or Word2VecBinary, got {PretrainedVectorsFormat}");
    }

    /// <summary>The vectors of <paramref name="vocabulary"/>'s tokens from <see cref="PretrainedVectorsPath"/> (null when
    /// none is set), file words matched through <paramref name="tokenizer"/>'s normalisation and case rule; logs how many matched.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed or its dimension is not <see cref="RecurrentTextOptions.EmbeddingSize"/>.</exception>
    internal WordVectors? LoadPretrainedVectors(Vocabulary vocabulary, Tokenizer tokenizer, IChannel channel)
    {
        if (PretrainedVectorsPath is not { } path) return null;
        var vectors = WordVectors.Load(path, vocabulary, tokenizer, PretrainedVectorsFormat, EmbeddingSize);
        channel.Info(MessageSensitivity.None, $"pretrained vectors: {vectors.Rows.Count} of {vocabulary.Count - 2} vocabulary tokens found among the {vectors.Entries} words of '{path}'{(FreezePretrainedVectors ? " (frozen)" : "")}");
        return vectors;
    }
}
