using RnnMl.Text.Tagging;
using RnnMl.Torch.Layers;

namespace RnnMl.Torch.Models;

/// <summary>The shape of a <see cref="SequenceTagger"/>; checked when the model is built.</summary>
public sealed record SequenceTaggerOptions
{
    /// <summary>Number of token ids the embedding covers (the vocabulary size, padding and unknown included); at least 2. Required.</summary>
    public int VocabularySize { get; init; }

    /// <summary>K, the number of tags; at least 1. Required.</summary>
    public int TagCount { get; init; }

    /// <summary>Width of a token embedding; default 100.</summary>
    public int EmbeddingSize { get; init; } = 100;

    /// <summary>
    /// Number of character ids of the optional character-level word encoder (padding 0 and unknown 1 included; see
    /// <c>RnnMl.Text.Tagging.TaggerCharacters</c>): the encoder (<see cref="CharacterEncoder"/>) reads each word's
    /// characters and its features are appended to the word embedding. 0 (default) for no character encoder; otherwise at least 2.
    /// </summary>
    public int CharacterVocabularySize { get; init; }

    /// <summary>With characters (<see cref="CharacterVocabularySize"/> &gt; 0), how a word's characters are read: a BiLSTM
    /// (default; Lample et al. 2016) or a CNN of width 3 max-pooled over the word (Ma and Hovy 2016). <see cref="CharacterEncoderKind.None"/>
    /// only with <see cref="CharacterVocabularySize"/> 0.</summary>
    public CharacterEncoderKind CharacterEncoder { get; init; } = CharacterEncoderKind.BiLstm;

    /// <summary>Width of a character embedding, with the character encoder; default 25 (Lample et al.).</summary>
    public int CharacterEmbeddingSize { get; init; } = 25;

    /// <summary>Hidden size per direction of the character BiLSTM; a word gets 2 × this many features. The CNN has 2 × this
    /// many filters, so both encoders give a word the same number of features. Default 25 (Lample et al.).</summary>
    public int CharacterHiddenSize { get; init; } = 25;

    /// <summary>Whether the character encoder is on (<see cref="CharacterVocabularySize"/> &gt; 0).</summary>
    public bool HasCharacterEncoder => CharacterVocabularySize > 0;

    /// <summary>
    /// Width of the casing feature's embedding: each token's casing class (<see cref="TokenCasing"/>: all-lower,
    /// first-upper, all-upper, has-digit, other) is embedded and appended after the word (and character) features, so the
    /// case survives lower-cased word ids. The casing ids (N, T) are then a required input of the model, its training task
    /// and its ONNX graph. 0 (default) for none; otherwise 1 to 100.
    /// </summary>
    public int CasingEmbeddingSize { get; init; }

    /// <summary>The largest <see cref="CasingEmbeddingSize"/>, 100: there are only <see cref="TokenCasing.Count"/> casing ids.</summary>
    public const int MaxCasingEmbeddingSize = 100;

    /// <summary>Whether the casing feature is on (<see cref="CasingEmbeddingSize"/> &gt; 0).</summary>
    public bool HasCasing => CasingEmbeddingSize > 0;

    /// <summary>The width of a token's input to the recurrent encoder: the embedding plus, with characters, 2 × <see cref="CharacterHiddenSize"/>, plus <see cref="CasingEmbeddingSize"/>.</summary>
    public int TokenFeatureSize => EmbeddingSize + (HasCharacterEncoder ? 2 * CharacterHiddenSize : 0) + CasingEmbeddingSize;

    /// <summary>H, the recurrent hidden size per direction; default 128.</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>L, stacked recurrent layers; default 1.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>Whether the encoder reads both ways (a tag then depends on the whole sentence); default true.</summary>
    public bool Bidirectional { get; init; } = true;

    /// <summary>The cell; default LSTM.</summary>
    public RecurrentCellKind Cell { get; init; } = RecurrentCellKind.Lstm;

    /// <summary>Dropout on the embeddings, between recurrent layers and before the per-token output layer, in training only; in [0, 1). Default 0.3.</summary>
    public double Dropout { get; init; } = 0.3;

    /// <summary>
    /// Word dropout, in training only: each token id (padding aside) is replaced by <see cref="RnnMl.Text.Vocabulary.UnknownId"/>
    /// with this probability, so the &lt;unk&gt; embedding learns from real contexts and the tagger leans on the characters
    /// for rare words (Lample et al. 2016 replace singletons; Plank et al. 2016). In [0, 1); default 0.
    /// </summary>
    public double WordDropout { get; init; }

    /// <summary>
    /// α of frequency-dependent word dropout, in training only (Kiperwasser and Goldberg 2016): a training token whose id
    /// occurs c times in the training data is replaced by <see cref="RnnMl.Text.Vocabulary.UnknownId"/> with probability
    /// α / (α + c), so rare words teach the &lt;unk&gt; embedding and frequent words are almost never dropped. Applied by
    /// <c>SequenceTaggerTrainingTask</c>, which counts the ids of its training sentences. 0 (default) for none; at least 0.
    /// </summary>
    public double FrequencyWordDropout { get; init; }

    /// <summary>Whether a <see cref="LinearChainCrf"/> scores whole tag sequences (true, default) or each token is classified on its own (softmax).</summary>
    public bool UseCrf { get; init; } = true;

    /// <summary>Hard constraints for the CRF (e.g. BIO well-formedness) over the same <see cref="TagCount"/> tags; null for none. Needs <see cref="UseCrf"/>.</summary>
    public TagTransitionConstraints? Constraints { get; init; }

    /// <summary>Recurrent backend; default Auto (libtorch's fused kernels).</summary>
    public RecurrentBackend Backend { get; init; } = RecurrentBackend.Auto;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option out of range; returns this.</summary>
    public SequenceTaggerOptions Validate()
    {
        if (VocabularySize < 2)
            throw new ArgumentOutOfRangeException(nameof(VocabularySize), VocabularySize, $"vocabulary size must be at least 2, got {VocabularySize}");
        if (TagCount < 1)
            throw new ArgumentOutOfRangeException(nameof(TagCount), TagCount, $"tag count must be at least 1, got {TagCount}");
        if (EmbeddingSize < 1)
            throw new ArgumentOutOfRangeException(nameof(EmbeddingSize), EmbeddingSize, $"embedding size must be at least 1, got {EmbeddingSize}");
        if (CharacterVocabularySize is < 0 or 1)
            throw new ArgumentOutOfRangeException(nameof(CharacterVocabularySize), CharacterVocabularySize, $"character vocabulary size must be 0 (no character encoder) or at least 2, got {CharacterVocabularySize}");
        if (HasCharacterEncoder && CharacterEmbeddingSize < 1)
            throw new ArgumentOutOfRangeException(nameof(CharacterEmbeddingSize), CharacterEmbeddingSize, $"character embedding size must be at least 1, got {CharacterEmbeddingSize}");
        if (HasCharacterEncoder && CharacterHiddenSize < 1)
            throw new ArgumentOutOfRangeException(nameof(CharacterHiddenSize), CharacterHiddenSize, $"character hidden size must be at least 1, got {CharacterHiddenSize}");
        if (HasCharacterEncoder && CharacterEncoder is not (CharacterEncoderKind.BiLstm or CharacterEncoderKind.Cnn))
            throw new ArgumentOutOfRangeException(nameof(CharacterEncoder), CharacterEncoder, $"with {CharacterVocabularySize} character ids the character encoder must be BiLstm or Cnn, got {CharacterEncoder} (set CharacterVocabularySize to 0 for none)");
        if (CasingEmbeddingSize is < 0 or > MaxCasingEmbeddingSize)
            throw new ArgumentOutOfRangeException(nameof(CasingEmbeddingSize), CasingEmbeddingSize, $"casing embedding size must be 0 (no casing feature) to {MaxCasingEmbeddingSize}, got {CasingEmbeddingSize}");
        if (!(FrequencyWordDropout >= 0 && double.IsFinite(FrequencyWordDropout)))
            throw new ArgumentOutOfRangeException(nameof(FrequencyWordDropout), FrequencyWordDropout, $"frequency word dropout α must be a finite number ≥ 0, got {FrequencyWordDropout}");
        if (!(WordDropout >= 0 && WordDropout < 1))
            throw new ArgumentOutOfRangeException(nameof(WordDropout), WordDropout, $"word dropout must be in [0, 1), got {WordDropout}");
        if (!Enum.IsDefined(Cell))
            throw new ArgumentOutOfRangeException(nameof(Cell), Cell, $"cell must be Lstm, Gru, Rnn or RnnRelu, got {Cell}");
        if (Constraints is not null && !UseCrf)
            throw new ArgumentException("constraints need the CRF: UseCrf is false", nameof(Constraints));
        if (Constraints is not null && Constraints.NumTags != TagCount)
            throw new ArgumentException($"constraints are over {Constraints.NumTags} tags, but TagCount is {TagCount}", nameof(Constraints));
        new RecurrentLayerOptions(TokenFeatureSize, HiddenSize, NumLayers, true, true, Dropout, Bidirectional, Backend).Validate();
        ParameterBudget.Check(ParameterBudget.LowerBound(this), nameof(HiddenSize), $"hidden size {HiddenSize}, embedding size {EmbeddingSize}, vocabulary size {VocabularySize}, {NumLayers} layer(s)");
        return this;
    }
}
