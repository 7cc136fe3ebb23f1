using RnnMl.Torch.Layers;

namespace RnnMl.Torch.Models;

/// <summary>The shape of a <see cref="Seq2SeqModel"/>; checked when the model is built.</summary>
/// <remarks>
/// The target vocabulary must hold <see cref="BeginId"/> and <see cref="EndId"/>; building it with
/// <c>Vocabulary.Build(..., specialTokens: Seq2SeqOptions.TargetSpecialTokens)</c> puts "&lt;s&gt;" at 2 and "&lt;/s&gt;" at 3,
/// the defaults.
/// </remarks>
public sealed record Seq2SeqOptions
{
    /// <summary>The begin-of-sentence token of target vocabularies.</summary>
    public const string BeginToken = "<s>";

    /// <summary>The end-of-sentence token of target vocabularies.</summary>
    public const string EndToken = "</s>";

    /// <summary>The special tokens of a target vocabulary, in id order after padding and unknown: "&lt;s&gt;" (id 2), "&lt;/s&gt;" (id 3).</summary>
    public static readonly IReadOnlyList<string> TargetSpecialTokens = new[] { BeginToken, EndToken };

    /// <summary>Source token ids the source embedding covers (padding and unknown included); at least 2. Required.</summary>
    public int SourceVocabularySize { get; init; }

    /// <summary>Target token ids the target embedding and the output layer cover; at least 4 (padding, unknown, begin, end). Required.</summary>
    public int TargetVocabularySize { get; init; }

    /// <summary>Id of the begin-of-sentence token the decoder starts from; default 2.</summary>
    public int BeginId { get; init; } = 2;

    /// <summary>Id of the end-of-sentence token that stops decoding; default 3.</summary>
    public int EndId { get; init; } = 3;

    /// <summary>Width of source and target token embeddings; default 128.</summary>
    public int EmbeddingSize { get; init; } = 128;

    /// <summary>H, the encoder's hidden size per direction; default 128.</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>The decoder's hidden size; null (the default) for the encoder's output size D·<see cref="HiddenSize"/>.</summary>
    public int? DecoderHiddenSize { get; init; }

    /// <summary>Stacked encoder layers; default 1.</summary>
    public int EncoderLayers { get; init; } = 1;

    /// <summary>Stacked decoder layers; default 1.</summary>
    public int DecoderLayers { get; init; } = 1;

    /// <summary>Whether the encoder reads both ways; default true.</summary>
    public bool Bidirectional { get; init; } = true;

    /// <summary>The encoder's cell; default GRU.</summary>
    public RecurrentCellKind EncoderCell { get; init; } = RecurrentCellKind.Gru;

    /// <summary>The decoder's cell; default GRU.</summary>
    public RecurrentCellKind DecoderCell { get; init; } = RecurrentCellKind.Gru;

    /// <summary>The attention; default <see cref="AttentionKind.LuongGeneral"/>.</summary>
    public AttentionKind Attention { get; init; } = AttentionKind.LuongGeneral;

    /// <summary>
    /// Input feeding (Luong et al., 2015): the previous step's attentional vector is part of the decoder's input. Needs an
    /// attention. Default false (which lets training run the decoder over the whole target at once with libtorch's kernels).
    /// </summary>
    public bool InputFeeding { get; init; }

    /// <summary>
    /// In training, the probability that a decoder step is fed the true previous token rather than the model's own
    /// prediction; in [0, 1]. Default 1 (always the true token).
    /// </summary>
    public double TeacherForcingRatio { get; init; } = 1.0;

    /// <summary>Dropout on embeddings, between stacked layers and before the output layer, in training only; in [0, 1). Default 0.2.</summary>
    public double Dropout { get; init; } = 0.2;

    /// <summary>
    /// Tied output embeddings (Press &amp; Wolf, 2017): the output layer's weight is the target embedding matrix, so the model
    /// has V·Q (or V·Q − Q·embedding size) fewer parameters; when the decoder's hidden size differs from
    /// <see cref="EmbeddingSize"/>, a learned linear map (no bias) to the embedding size comes first. Default false.
    /// </summary>
    public bool TieEmbeddings { get; init; }

    /// <summary>Recurrent backend of encoder and decoder; default Auto (libtorch's fused kernels).</summary>
    public RecurrentBackend Backend { get; init; } = RecurrentBackend.Auto;

    /// <summary>D, 2 for a bidirectional encoder, else 1.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>E = D·H, the size of the encoder's outputs.</summary>
    public int EncoderOutputSize => Directions * HiddenSize;

    /// <summary>The decoder's hidden size with the default resolved.</summary>
    public int ResolvedDecoderHiddenSize => DecoderHiddenSize ?? EncoderOutputSize;

    /// <summary>Throws an <see cref="ArgumentException"/> (usually <see cref="ArgumentOutOfRangeException"/>) naming the first bad option; returns this.</summary>
    public Seq2SeqOptions Validate()
    {
        if (SourceVocabularySize < 2)
            throw new ArgumentOutOfRangeException(nameof(SourceVocabularySize), SourceVocabularySize, $"source vocabulary size must be at least 2, got {SourceVocabularySize}");
        if (TargetVocabularySize < 4)
            throw new ArgumentOutOfRangeException(nameof(TargetVocabularySize), TargetVocabularySize, $"target vocabulary size must be at least 4 (padding, unknown, begin, end), got {TargetVocabularySize}");
        if (BeginId < 2 || BeginId >= TargetVocabularySize)
            throw new ArgumentOutOfRangeException(nameof(BeginId), BeginId, $"begin id must be between 2 and {TargetVocabularySize - 1}, got {BeginId}");
        if (EndId < 2 || EndId >= TargetVocabularySize || EndId == BeginId)
            throw new ArgumentOutOfRangeException(nameof(EndId), EndId, $"end id must be between 2 and {TargetVocabularySize - 1} and differ from the begin id {BeginId}, got {EndId}");
        if (HiddenSize < 1)
            throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize, $"hidden size must be at least 1, got {HiddenSize}");
        if (EncoderLayers < 1)
            throw new ArgumentOutOfRangeException(nameof(EncoderLayers), EncoderLayers, $"encoder layers must be at least 1, got {EncoderLayers}");
        if (DecoderLayers < 1)
            throw new ArgumentOutOfRangeException(nameof(DecoderLayers), DecoderLayers, $"decoder layers must be at least 1, got {DecoderLayers}");
        if (EmbeddingSize < 1)
            throw new ArgumentOutOfRangeException(nameof(EmbeddingSize), EmbeddingSize, $"embedding size must be at least 1, got {EmbeddingSize}");
        if (DecoderHiddenSize is < 1)
            throw new ArgumentOutOfRangeException(nameof(DecoderHiddenSize), DecoderHiddenSize, $"decoder hidden size must be at least 1 (or null for D·H), got {DecoderHiddenSize}");
        if (!Enum.IsDefined(EncoderCell))
            throw new ArgumentOutOfRangeException(nameof(EncoderCell), EncoderCell, $"encoder cell must be Lstm, Gru, Rnn or RnnRelu, got {EncoderCell}");
        if (!Enum.IsDefined(DecoderCell))
            throw new ArgumentOutOfRangeException(nameof(DecoderCell), DecoderCell, $"decoder cell must be Lstm, Gru, Rnn or RnnRelu, got {DecoderCell}");
        if (!Enum.IsDefined(Attention))
            throw new ArgumentOutOfRangeException(nameof(Attention), Attention, $"attention must be None, Bahdanau, LuongDot or LuongGeneral, got {Attention}");
        if (Attention == AttentionKind.LuongDot && ResolvedDecoderHiddenSize != EncoderOutputSize)
            throw new ArgumentException($"dot attention needs the decoder hidden size to equal the encoder output size {EncoderOutputSize}, got {ResolvedDecoderHiddenSize}", nameof(DecoderHiddenSize));
        if (InputFeeding && Attention == AttentionKind.None)
            throw new ArgumentException("input feeding feeds the attentional vector back, so it needs an attention, got Attention = None", nameof(InputFeeding));
        if (!(TeacherForcingRatio >= 0 && TeacherForcingRatio <= 1))
            throw new ArgumentOutOfRangeException(nameof(TeacherForcingRatio), TeacherForcingRatio, $"teacher forcing ratio must be in [0, 1], got {TeacherForcingRatio}");
        new RecurrentLayerOptions(EmbeddingSize, HiddenSize, EncoderLayers, true, true, Dropout, Bidirectional, Backend).Validate();
        new RecurrentLayerOptions(EmbeddingSize, ResolvedDecoderHiddenSize, DecoderLayers, true, true, Dropout, false, Backend).Validate();
        ParameterBudget.Check(ParameterBudget.LowerBound(this), nameof(HiddenSize),
            $"hidden size {HiddenSize}, decoder hidden size {ResolvedDecoderHiddenSize}, embedding size {EmbeddingSize}, vocabulary sizes {SourceVocabularySize} and {TargetVocabularySize}");
        return this;
    }
}
