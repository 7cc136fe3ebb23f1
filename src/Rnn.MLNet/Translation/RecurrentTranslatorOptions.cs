using RnnMl.Text.Decoding;
using RnnMl.Torch.Decoding;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Training;

namespace RnnMl.MLNet.Translation;

/// <summary>Options of the recurrent translator (<c>mlContext.Transforms.Text.TranslateText</c>). Every default is stated.</summary>
public sealed class RecurrentTranslatorOptions : RecurrentTextOptions
{
    /// <summary>Options with the stated defaults; <see cref="RecurrentTrainingOptions.Cell"/> (the encoder's and, unless
    /// <see cref="DecoderCell"/> is set, the decoder's cell) defaults to GRU here, and the shared settings to epochs 100
    /// (a ceiling: early stopping after <see cref="RecurrentTrainingOptions.EarlyStoppingPatience"/> epochs without a lower
    /// validation loss decides, so a corpus of a few thousand pairs trains as long as it keeps improving),
    /// learning rate 0.002 halved whenever an epoch does not lower the validation loss
    /// (<see cref="LearningRateSchedule.ReduceOnPlateau"/>, which needs no horizon, so it suits early stopping and
    /// <see cref="RecurrentTrainingOptions.MaxTrainingTime"/>), batch 64, prediction batch 128, validation fraction 0.05,
    /// embedding size 256, hidden size 256 (per direction of the encoder; the decoder has 2·256), dropout 0.3.</summary>
    /// <remarks>Chosen on Multi30k de→en (29,000 pairs, README "Translation sweep"): with these sizes, tied output
    /// embeddings and the plateau schedule, a 55-minute CPU run (one torch thread) reached 37.3 BLEU (beam, lower-cased) on
    /// the 1,014 val sentences, against 27.2 for the same sizes untied at a constant rate.</remarks>
    public RecurrentTranslatorOptions()
    {
        Cell = RecurrentCellKind.Gru;
        TaskDefaults(epochs: 100, learningRate: 2e-3, batchSize: 64, predictionBatchSize: 128, validationFraction: 0.05,
            hiddenSize: 256, dropout: 0.3);
        (EmbeddingSize, Schedule) = (256, LearningRateSchedule.ReduceOnPlateau);
    }

    /// <summary>The source text column (String). Default "Source".</summary>
    public string SourceColumnName { get; set; } = "Source";

    /// <summary>The target text column (String), needed by <c>Fit</c> only. Default "Target".</summary>
    public string TargetColumnName { get; set; } = "Target";

    /// <summary>The added column with the translated text (String). Default "Translation".</summary>
    public string OutputColumnName { get; set; } = "Translation";

    /// <summary>Word, character or subword tokens for the source. Default word.</summary>
    public TokenizerKind SourceTokenizer { get; set; } = TokenizerKind.Word;

    /// <summary>Word, character or subword tokens for the target; character or subword level suits languages such as Korean
    /// with many word forms. Word-level output is joined with single spaces; character-level output is joined as it is
    /// (spaces are tokens); subword pieces are joined into words first, exactly. Default word.</summary>
    public TokenizerKind TargetTokenizer { get; set; } = TokenizerKind.Word;

    /// <summary>When both sides use <see cref="TokenizerKind.Subword"/> tokens: learn one subword model from source and target
    /// text together (<see cref="RecurrentTextOptions.SubwordVocabularySize"/> tokens shared by both sides, so names and
    /// numbers are cut alike), instead of one model per side of that size each. Default false.</summary>
    public bool JointSubwordVocabulary { get; set; }

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

    /// <summary>Tied output embeddings (Press &amp; Wolf, 2017): the decoder's output layer reuses the target embedding matrix
    /// (with a learned map to the embedding size first when the decoder size differs from
    /// <see cref="RecurrentTextOptions.EmbeddingSize"/>), saving about V·Q parameters. Default true (on Multi30k, 6,000 pairs,
    /// 4 epochs, same seed: beam BLEU 21.24 against 14.90 untied, greedy 16.93 against 10.99; README, translation sweep).</summary>
    public bool TieEmbeddings { get; set; } = true;

    /// <summary>Probability of feeding the true previous token in training, in [0, 1]. Default 1.</summary>
    public double TeacherForcingRatio { get; set; } = 1.0;

    /// <summary>Label smoothing of the training loss, in [0, 1). Default 0.1 (on Multi30k, 6,000 pairs, 4 epochs: beam BLEU
    /// 15.91 against 14.44 without, greedy 14.97 against 11.50; README, translation sweep).</summary>
    public double LabelSmoothing { get; set; } = 0.1;

    /// <summary>Hypotheses kept per sentence by beam search; 1 for greedy decoding. Default 5.</summary>
    public int BeamWidth { get; set; } = 5;

    /// <summary>Length normalisation α of beam search (score / length^α). Default 1.</summary>
    public double LengthPenalty { get; set; } = 1.0;

    /// <summary>Beam search's relative threshold pruning rp (<see cref="DecodingOptions.RelativeThreshold"/>):
    /// candidates less than rp times as probable as a sentence's best are dropped; in [0, 1], 0 for none. Default 0.5.</summary>
    public double BeamRelativeThreshold { get; set; } = 0.5;

    /// <summary>Translations stop after ⌊ratio · source length⌋ + <see cref="MaxLengthOffset"/> tokens. Default 2.</summary>
    public double MaxLengthRatio { get; set; } = 2.0;

    /// <summary>Added to the translation length limit. Default 10.</summary>
    public int MaxLengthOffset { get; set; } = 10;

    internal RecurrentTranslatorOptions Clone() => (RecurrentTranslatorOptions)CloneOptions();

    /// <summary>Throws an <see cref="ArgumentException"/>-family error naming the first bad option.</summary>
    public override void Validate()
    {
        RequireColumns((nameof(SourceColumnName), SourceColumnName), (nameof(TargetColumnName), TargetColumnName), (nameof(OutputColumnName), OutputColumnName));
        ValidateText();
        if (MaxSourceVocabularySize is < 3)
            throw new ArgumentOutOfRangeException(nameof(MaxSourceVocabularySize), MaxSourceVocabularySize, $"maximum source vocabulary size must be at least 3, got {MaxSourceVocabularySize}");
        if (MaxTargetVocabularySize is < 5)
            throw new ArgumentOutOfRangeException(nameof(MaxTargetVocabularySize), MaxTargetVocabularySize, $"maximum target vocabulary size must be at least 5 (4 reserved tokens and one word), got {MaxTargetVocabularySize}");
        if (MaxSourceLength < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxSourceLength), MaxSourceLength, $"maximum source length must be at least 1, got {MaxSourceLength}");
        if (MaxTargetLength < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxTargetLength), MaxTargetLength, $"maximum target length must be at least 1, got {MaxTargetLength}");
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), LabelSmoothing, $"label smoothing must be in [0, 1), got {LabelSmoothing}");
        if (!Enum.IsDefined(SourceTokenizer))
            throw new ArgumentOutOfRangeException(nameof(SourceTokenizer), SourceTokenizer, $"source tokenizer must be Word, Character or Subword, got {SourceTokenizer}");
        if (!Enum.IsDefined(TargetTokenizer))
            throw new ArgumentOutOfRangeException(nameof(TargetTokenizer), TargetTokenizer, $"target tokenizer must be Word, Character or Subword, got {TargetTokenizer}");
        ModelOptions(2, 4).Validate();
        if (!(BeamRelativeThreshold >= 0 && BeamRelativeThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(BeamRelativeThreshold), BeamRelativeThreshold, $"beam relative threshold must be in [0, 1], got {BeamRelativeThreshold}");
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
        TieEmbeddings = TieEmbeddings,
        TeacherForcingRatio = TeacherForcingRatio,
        Dropout = Dropout,
        Backend = Backend,
    };

    internal DecodingOptions DecodingOptions() => new()
    {
        BeamWidth = BeamWidth,
        LengthPenalty = LengthPenalty,
        RelativeThreshold = BeamRelativeThreshold,
        MaxLengthRatio = MaxLengthRatio,
        MaxLengthOffset = MaxLengthOffset,
    };
}
