using RnnMl.Text;
using RnnMl.Text.Decoding;
using RnnMl.Torch.Decoding;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Torch.Training;

namespace RnnMl.MLNet.Translation;

/// <summary>Options of the recurrent translator (<c>mlContext.Transforms.Text.TranslateText</c>). Every default is stated.</summary>
public sealed class RecurrentTranslatorOptions : RecurrentTrainingOptions
{
    /// <summary>Options with the stated defaults; <see cref="RecurrentTrainingOptions.Cell"/> (the encoder's and, unless
    /// <see cref="DecoderCell"/> is set, the decoder's cell) defaults to GRU here.</summary>
    public RecurrentTranslatorOptions() => Cell = RecurrentCellKind.Gru;

    /// <summary>The source text column (String). Default "Source".</summary>
    public string SourceColumnName { get; set; } = "Source";

    /// <summary>The target text column (String), needed by <c>Fit</c> only. Default "Target".</summary>
    public string TargetColumnName { get; set; } = "Target";

    /// <summary>The added column with the translated text (String). Default "Translation".</summary>
    public string OutputColumnName { get; set; } = "Translation";

    /// <summary>Word or character tokens for the source. Default word.</summary>
    public TokenizerKind SourceTokenizer { get; set; } = TokenizerKind.Word;

    /// <summary>Word or character tokens for the target; character level suits scripts such as Korean with many word forms.
    /// Word-level output is joined with single spaces; character-level output is joined as it is (spaces are tokens). Default word.</summary>
    public TokenizerKind TargetTokenizer { get; set; } = TokenizerKind.Word;

    /// <summary>Lower-case source and target text. Default true.</summary>
    public bool LowerCase { get; set; } = true;



    /// <summary>Largest source vocabulary (reserved tokens included); null for no limit. Default 30,000.</summary>
    public int? MaxSourceVocabularySize { get; set; } = 30_000;

    /// <summary>Largest target vocabulary (reserved tokens included); null for no limit. Default 30,000.</summary>
    public int? MaxTargetVocabularySize { get; set; } = 30_000;

    /// <summary>
    /// Sources longer than this many tokens are cut to their first this many tokens, in training and translation
    /// (training logs a warning with the number of cut rows). Default 100.
    /// </summary>
    public int MaxSourceLength { get; set; } = 100;

    /// <summary>Training targets longer than this many tokens are cut (with a warning in the log). Default 100.</summary>
    public int MaxTargetLength { get; set; } = 100;


    /// <summary>The decoder's cell; null (the default) for <see cref="RecurrentTrainingOptions.Cell"/>, the encoder's.</summary>
    public RecurrentCellKind? DecoderCell { get; set; }


    /// <summary>Token embedding width (source and target). Default 128.</summary>
    public int EmbeddingSize { get; set; } = 128;

    /// <summary>Encoder hidden size H per direction. Default 128.</summary>
    public int HiddenSize { get; set; } = 128;

    /// <summary>Decoder hidden size; null for the encoder's output size D·H. Default null.</summary>
    public int? DecoderHiddenSize { get; set; }


    /// <summary>Stacked decoder layers; null (the default) for <see cref="RecurrentTrainingOptions.NumLayers"/>, the encoder's.</summary>
    public int? DecoderLayers { get; set; }

    /// <summary>Read the source both ways. Default true.</summary>
    public bool Bidirectional { get; set; } = true;

    /// <summary>The attention. Default Luong general.</summary>
    public AttentionKind Attention { get; set; } = AttentionKind.LuongGeneral;

    /// <summary>Feed the previous attentional vector into the decoder (Luong's input feeding). Default false.</summary>
    public bool InputFeeding { get; set; }

    /// <summary>Probability of feeding the true previous token in training, in [0, 1]. Default 1.</summary>
    public double TeacherForcingRatio { get; set; } = 1.0;

    /// <summary>Dropout in training, in [0, 1). Default 0.2.</summary>
    public double Dropout { get; set; } = 0.2;

    /// <summary>Label smoothing of the training loss, in [0, 1). Default 0.</summary>
    public double LabelSmoothing { get; set; }

    /// <summary>Sentence pairs per training batch. Default 64.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Sentences translated together by <c>Transform</c> (and pairs per validation batch). Default 128.</summary>
    public int PredictionBatchSize { get; set; } = 128;

    /// <summary>Training epochs (at most; early stopping or <see cref="MaxTrainingTime"/> may end sooner). Default 10.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Learning rate (Adam). Default 0.002.</summary>
    public double LearningRate { get; set; } = 2e-3;



    /// <summary>Share of the training pairs held out for validation (best epoch by validation loss, early stopping) when
    /// <c>Fit</c> gets no validation data; 0 for none. Default 0.05.</summary>
    public double ValidationFraction { get; set; } = 0.05;

    /// <summary>Stop after this many epochs without a lower validation loss; null to never stop early. Default 3.</summary>
    public int? EarlyStoppingPatience { get; set; } = 3;

    /// <summary>Stop training after this much time (between batches), keeping the best weights so far; null for no limit. Default null.</summary>
    public TimeSpan? MaxTrainingTime { get; set; }


    /// <summary>Hypotheses kept per sentence by beam search; 1 for greedy decoding. Default 5.</summary>
    public int BeamWidth { get; set; } = 5;

    /// <summary>Length normalisation α of beam search (score / length^α). Default 1.</summary>
    public double LengthPenalty { get; set; } = 1.0;

    /// <summary>Translations stop after ⌊ratio · source length⌋ + <see cref="MaxLengthOffset"/> tokens. Default 2.</summary>
    public double MaxLengthRatio { get; set; } = 2.0;

    /// <summary>Added to the translation length limit. Default 10.</summary>
    public int MaxLengthOffset { get; set; } = 10;



    internal RecurrentTranslatorOptions Clone() => (RecurrentTranslatorOptions)MemberwiseClone();

    /// <summary>Throws an <see cref="ArgumentException"/>-family error naming the first bad option.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[] { (nameof(SourceColumnName), SourceColumnName), (nameof(TargetColumnName), TargetColumnName),
                     (nameof(OutputColumnName), OutputColumnName) })
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"{name} must name a column, got '{value}'", name);
        ValidateShared();
        if (MaxSourceVocabularySize is < 3)
            throw new ArgumentOutOfRangeException(nameof(MaxSourceVocabularySize), MaxSourceVocabularySize, $"maximum source vocabulary size must be at least 3, got {MaxSourceVocabularySize}");
        if (MaxTargetVocabularySize is < 5)
            throw new ArgumentOutOfRangeException(nameof(MaxTargetVocabularySize), MaxTargetVocabularySize, $"maximum target vocabulary size must be at least 5 (4 reserved tokens and one word), got {MaxTargetVocabularySize}");
        if (MaxSourceLength < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxSourceLength), MaxSourceLength, $"maximum source length must be at least 1, got {MaxSourceLength}");
        if (MaxTargetLength < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxTargetLength), MaxTargetLength, $"maximum target length must be at least 1, got {MaxTargetLength}");
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"batch size must be at least 1, got {BatchSize}");
        if (PredictionBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(PredictionBatchSize), PredictionBatchSize, $"prediction batch size must be at least 1, got {PredictionBatchSize}");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, $"validation fraction must be in [0, 1), got {ValidationFraction}");
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), LabelSmoothing, $"label smoothing must be in [0, 1), got {LabelSmoothing}");
        if (MaxTrainingTime is { } limit && limit <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MaxTrainingTime), limit, $"maximum training time must be positive (or null for no limit), got {limit}");
        if (!Enum.IsDefined(SourceTokenizer))
            throw new ArgumentOutOfRangeException(nameof(SourceTokenizer), SourceTokenizer, $"source tokenizer must be Word or Character, got {SourceTokenizer}");
        if (!Enum.IsDefined(TargetTokenizer))
            throw new ArgumentOutOfRangeException(nameof(TargetTokenizer), TargetTokenizer, $"target tokenizer must be Word or Character, got {TargetTokenizer}");
        ModelOptions(2, 4).Validate();
        TrainerOptions().Validate();
        DecodingOptions().Validate();
    }

    internal Seq2SeqOptions ModelOptions(int sourceVocabularySize, int targetVocabularySize) => new()
    {
        SourceVocabularySize = sourceVocabularySize,
        TargetVocabularySize = targetVocabularySize,
        EmbeddingSize = EmbeddingSize,
        HiddenSize = HiddenSize,
        DecoderHiddenSize = DecoderHiddenSize,
        EncoderLayers = NumLayers,
        DecoderLayers = DecoderLayers ?? NumLayers,
        Bidirectional = Bidirectional,
        EncoderCell = Cell,
        DecoderCell = DecoderCell ?? Cell,
        Attention = Attention,
        InputFeeding = InputFeeding,
        TeacherForcingRatio = TeacherForcingRatio,
        Dropout = Dropout,
        Backend = Backend,
    };

    internal TrainerOptions TrainerOptions(int seed = 0) => TrainerOptionsWith(Epochs, LearningRate, EarlyStoppingPatience, null, seed);

    internal DecodingOptions DecodingOptions() => new()
    {
        BeamWidth = BeamWidth,
        LengthPenalty = LengthPenalty,
        MaxLengthRatio = MaxLengthRatio,
        MaxLengthOffset = MaxLengthOffset,
    };
}
