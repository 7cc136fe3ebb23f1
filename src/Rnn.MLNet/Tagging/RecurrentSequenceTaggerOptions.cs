using RnnMl.Text.Tagging;

namespace RnnMl.MLNet.Tagging;

/// <summary>
/// Options of the recurrent sequence tagger (<c>mlContext.MulticlassClassification.Trainers.RecurrentSequenceTagger</c>):
/// one tag per token, as in part-of-speech tagging and named-entity recognition. Every default is stated; the shared
/// settings default to at most 40 epochs with early-stopping patience 5, learning rate 0.005 halved on each validation
/// plateau, batch 16, prediction batch 128, validation fraction 0.1, hidden size 128 (per direction), dropout 0.5, word
/// embedding 100, lower-cased word lookup, rare words (seen once) unknown: the settings the <c>tagging</c> bench chose on
/// UD English LinES dev (95.97 % UPOS with characters and CRF; 95.94 % when early stopping watches 10 % of train held
/// out, as this trainer does; bench/Rnn.Bench/Tagging and README's held-out sweep). The word embedding can start from
/// pretrained vectors (<see cref="RecurrentWordVectorOptions.PretrainedVectorsPath"/>, matched to the word vocabulary with
/// its <see cref="RecurrentTextOptions.LowerCase"/> rule; the character encoder is unaffected).
/// </summary>
public sealed class RecurrentSequenceTaggerOptions : RecurrentWordVectorOptions
{
    /// <summary>Options with the stated defaults.</summary>
    public RecurrentSequenceTaggerOptions()
    {
        TaskDefaults(epochs: 40, learningRate: 5e-3, batchSize: 16, predictionBatchSize: 128, validationFraction: 0.1,
            hiddenSize: 128, dropout: 0.5);
        (EmbeddingSize, MinTokenCount, EarlyStoppingPatience, Schedule) = (100, 2, 5, LearningRateSchedule.ReduceOnPlateau);
    }

    /// <summary>The tags: a variable-length vector of keys (<c>Vector&lt;Key&lt;UInt32&gt;&gt;</c>), one per token, e.g. from
    /// <c>MapValueToKey</c> on a <c>Vector&lt;String&gt;</c> of tag names (whose key values become the tag names). Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The input: a vector of tokens (<c>Vector&lt;String&gt;</c>), or text (String) split by the word tokenizer.
    /// Tokens and tags are aligned one to one. Default "Tokens".</summary>
    public string TokensColumnName { get; set; } = "Tokens";

    /// <summary>The added predicted tags, <c>Vector&lt;Key&lt;UInt32&gt;&gt;</c> with the label's key values (so
    /// <c>MapKeyToValue</c> gives tag names). Default "PredictedLabel".</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>The added per-token confidence, <c>Vector&lt;Single&gt;</c>: the softmax of the token's emission scores at the
    /// predicted tag (the CRF's transition scores are not in it). Default "Score".</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>Largest word vocabulary (padding and unknown included); null for no limit. Default 50,000.</summary>
    public int? MaxVocabularySize { get; set; } = 50_000;

    /// <summary>Read the sentence both ways. Default true.</summary>
    public bool Bidirectional { get; set; } = true;

    /// <summary>Score whole tag sequences with a linear-chain CRF (Viterbi decoding) rather than each token alone. Default true.</summary>
    public bool UseCrf { get; set; } = true;

    /// <summary>
    /// With the CRF, forbid ill-formed transitions of this tagging scheme (an I-X never follows O or B-Y); null to detect
    /// BIO from the tag names (every tag O, B-X or I-X) and use no constraints otherwise. Default null.
    /// </summary>
    public TagScheme? Scheme { get; set; }

    /// <summary>The character-level word encoder, which helps with unseen words: a BiLSTM over each word's characters
    /// (Lample et al. 2016), a CNN of width 3 max-pooled over them (Ma and Hovy 2016; faster), or none. Default BiLstm.</summary>
    public CharacterEncoderKind CharacterEncoder { get; set; } = CharacterEncoderKind.BiLstm;

    /// <summary>Character embedding width (with <see cref="CharacterEncoder"/>). Default 25.</summary>
    public int CharacterEmbeddingSize { get; set; } = 25;

    /// <summary>Character BiLSTM hidden size per direction, or half the CNN's filters (with <see cref="CharacterEncoder"/>). Default 50.</summary>
    public int CharacterHiddenSize { get; set; } = 50;

    /// <summary>Width of the casing feature's embedding: each token's casing class (all-lower, first-upper, all-upper,
    /// has-digit, other; <c>RnnMl.Text.Tagging.TokenCasing</c>) is embedded and appended to the word's features, which gives
    /// the case back to lower-cased word ids. 0 for none, at most 100. Default 0.</summary>
    public int CasingEmbeddingSize { get; set; }

    /// <summary>Word dropout in training: each token is replaced by the unknown word with this probability, in [0, 1);
    /// never at prediction. Default 0.</summary>
    public double WordDropout { get; set; }

    /// <summary>α of frequency-dependent word dropout in training (Kiperwasser and Goldberg 2016): a token whose word occurs
    /// c times in the training rows is replaced by the unknown word with probability α / (α + c), so rare words teach the
    /// unknown word's embedding and the character encoder to handle words unseen in training; never at prediction. 0 for
    /// none, at least 0. Default 0.</summary>
    public double FrequencyWordDropout { get; set; }

    internal RecurrentSequenceTaggerOptions Clone() => (RecurrentSequenceTaggerOptions)CloneOptions();

    /// <summary>Throws an <see cref="ArgumentException"/>-family error naming the first bad option and its value.</summary>
    public override void Validate()
    {
        RequireColumns((nameof(LabelColumnName), LabelColumnName), (nameof(TokensColumnName), TokensColumnName), (nameof(PredictedLabelColumnName), PredictedLabelColumnName),
            (nameof(ScoreColumnName), ScoreColumnName));
        if (MaxVocabularySize is < 3)
            throw new ArgumentOutOfRangeException(nameof(MaxVocabularySize), MaxVocabularySize, $"maximum vocabulary size must be at least 3, got {MaxVocabularySize}");
        if (!Enum.IsDefined(CharacterEncoder))
            throw new ArgumentOutOfRangeException(nameof(CharacterEncoder), CharacterEncoder, $"character encoder must be None, BiLstm or Cnn, got {CharacterEncoder}");
        if (Scheme is { } scheme && scheme is not (TagScheme.Bio or TagScheme.Iobes))
            throw new ArgumentOutOfRangeException(nameof(Scheme), scheme, $"scheme must be Bio, Iobes or null (constraints exist for those), got {scheme}");
        ValidatePretrainedVectors();
        ValidateText();
        ModelOptions(vocabularySize: 2, tagCount: 2, characterCount: 3, constraints: null).Validate();
    }

    /// <summary>Accuracy picks the best epoch.</summary>
    private protected override string? SelectionMetric => "accuracy";

    internal SequenceTaggerOptions ModelOptions(int vocabularySize, int tagCount, int characterCount, TagTransitionConstraints? constraints) => new()
    {
        VocabularySize = vocabularySize,
        TagCount = tagCount,
        EmbeddingSize = EmbeddingSize,
        CharacterVocabularySize = CharacterEncoder == CharacterEncoderKind.None ? 0 : characterCount,
        CharacterEncoder = CharacterEncoder,
        CharacterEmbeddingSize = CharacterEmbeddingSize,
        CharacterHiddenSize = CharacterHiddenSize,
        CasingEmbeddingSize = CasingEmbeddingSize,
        HiddenSize = HiddenSize,
        NumLayers = NumLayers,
        Bidirectional = Bidirectional,
        Cell = Cell,
        Dropout = Dropout,
        WordDropout = WordDropout,
        FrequencyWordDropout = FrequencyWordDropout,
        UseCrf = UseCrf,
        Constraints = UseCrf ? constraints : null,
        Backend = Backend,
    };
}
