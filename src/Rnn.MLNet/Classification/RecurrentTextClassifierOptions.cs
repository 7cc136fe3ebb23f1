using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Text;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;

namespace RnnMl.MLNet.Classification;

/// <summary>Options of the recurrent text classifier trainers (binary and multiclass). Every default is stated.</summary>
public sealed class RecurrentTextClassifierOptions : RecurrentTrainingOptions
{
    /// <summary>The label column: Boolean for binary classification, a key type for multiclass (the class count is the key count). Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The input column: text (tokenised by <see cref="Tokenizer"/>), a vector of text tokens (e.g. from
    /// <c>TokenizeIntoWords</c>), or a vector of keys (e.g. <c>TokenizeIntoWords</c> then <c>MapValueToKey</c>). Default "Text".</summary>
    public string TextColumnName { get; set; } = "Text";

    /// <summary>The output score column. Default "Score".</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The output probability column (binary only). Default "Probability".</summary>
    public string ProbabilityColumnName { get; set; } = "Probability";

    /// <summary>The output predicted-label column. Default "PredictedLabel".</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Word or character tokens, for a text input column. Default word.</summary>
    public TokenizerKind Tokenizer { get; set; } = TokenizerKind.Word;

    /// <summary>Lower-case text and text tokens. Default true.</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary>Largest vocabulary (padding and unknown included); null for no limit. Default 50,000.</summary>
    public int? MaxVocabularySize { get; set; } = 50_000;

    /// <summary>Sequences are cut to their first this many tokens, in training and prediction; null for no limit. Default 400.</summary>
    public int? MaxSequenceLength { get; set; } = 400;

    /// <summary>Token embedding width. Default 128.</summary>
    public int EmbeddingSize { get; set; } = 128;

    /// <summary>Recurrent hidden size H. Default 128.</summary>
    public int HiddenSize { get; set; } = 128;

    /// <summary>Read the text both ways. Default true.</summary>
    public bool Bidirectional { get; set; } = true;

    /// <summary>How the outputs over time become one vector. Default mean and max.</summary>
    public PoolingKind Pooling { get; set; } = PoolingKind.MeanMax;

    /// <summary>Dropout between stacked recurrent layers and before the output layer, in training; in [0, 1). Default 0.3.</summary>
    public double Dropout { get; set; } = 0.3;

    /// <summary>Embedding dropout: the probability of dropping a whole word type for a batch, in training; in [0, 1). Default 0.1.</summary>
    public double EmbeddingDropout { get; set; } = 0.1;

    /// <summary>Locked dropout on the recurrent encoder's input (one mask per sequence, shared across time), in training; in [0, 1). Default 0.3.</summary>
    public double InputDropout { get; set; } = 0.3;

    /// <summary>Locked dropout on the recurrent encoder's output before pooling (one mask per sequence), in training; in [0, 1). Default 0.3.</summary>
    public double OutputDropout { get; set; } = 0.3;

    /// <summary>
    /// A pretrained word-vector file (word2vec text or binary, GloVe, fastText .vec) that initialises the embedding: rows
    /// of vocabulary tokens found in it (after the tokenizer's normalisation and case rule) take its vectors, the others
    /// start random on the same scale. Its dimension must equal <see cref="EmbeddingSize"/>. Needs a text or text-token
    /// input column. Null for none. Default null.
    /// </summary>
    public string? PretrainedVectorsPath { get; set; }

    /// <summary>The layout of <see cref="PretrainedVectorsPath"/>. Default Auto (word2vec binary for *.bin, text otherwise).</summary>
    public WordVectorFormat PretrainedVectorsFormat { get; set; } = WordVectorFormat.Auto;

    /// <summary>Keep the pretrained embedding fixed in training (true) or fine-tune it (false). Default false.</summary>
    public bool FreezePretrainedVectors { get; set; }

    /// <summary>Examples per training batch. Default 64.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Rows per batch when scoring with <c>Transform</c>, and per validation batch in training. Default 256.</summary>
    public int PredictionBatchSize { get; set; } = 256;

    /// <summary>Training epochs (at most; early stopping may end sooner). Left at its default, it is raised on small data
    /// sets by <see cref="MinimumSteps"/>. Default 4 (about 4 minutes on SST-2's 67,349 phrases on 2 cores).</summary>
    public int Epochs
    {
        get => epochs;
        set { epochs = value; epochsSet = true; }
    }

    private int epochs = 4;
    private bool epochsSet;

    /// <summary>
    /// At least this many optimizer steps: on small data sets, where <see cref="Epochs"/> epochs would take fewer,
    /// training runs the fewest epochs that take this many (early stopping still applies), so that a 2,000-row set gets
    /// about as many updates as a large one gets in a few epochs; null to run <see cref="Epochs"/> epochs. At least 1.
    /// Default 1,000 while <see cref="Epochs"/> is left at its default, null once <see cref="Epochs"/> is set (an epoch
    /// count you choose is kept as it is, unless you set this too).
    /// </summary>
    public int? MinimumSteps
    {
        get => minimumStepsSet ? minimumSteps : epochsSet ? null : 1_000;
        set { minimumSteps = value; minimumStepsSet = true; }
    }

    private int? minimumSteps;
    private bool minimumStepsSet;

    /// <summary>Learning rate. Default 0.002.</summary>
    public double LearningRate { get; set; } = 2e-3;

    /// <summary>Share of the training rows held out for validation (early stopping, best-epoch selection) when <c>Fit</c>
    /// gets no validation data; 0 for none. Default 0.1.</summary>
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>Stop after this many epochs without a better validation accuracy; null to never stop early. Default 3.</summary>
    public int? EarlyStoppingPatience { get; set; } = 3;

    internal RecurrentTextClassifierOptions Clone() => (RecurrentTextClassifierOptions)MemberwiseClone();

    /// <summary>Throws an <see cref="ArgumentException"/>-family error naming the first bad option.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[] { (nameof(LabelColumnName), LabelColumnName), (nameof(TextColumnName), TextColumnName),
                     (nameof(ScoreColumnName), ScoreColumnName), (nameof(ProbabilityColumnName), ProbabilityColumnName),
                     (nameof(PredictedLabelColumnName), PredictedLabelColumnName) })
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"{name} must name a column, got '{value}'", name);
        if (MaxVocabularySize is < 3)
            throw new ArgumentOutOfRangeException(nameof(MaxVocabularySize), MaxVocabularySize, $"maximum vocabulary size must be at least 3, got {MaxVocabularySize}");
        if (MaxSequenceLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxSequenceLength), MaxSequenceLength, $"maximum sequence length must be at least 1, got {MaxSequenceLength}");
        if (MinimumSteps is < 1)
            throw new ArgumentOutOfRangeException(nameof(MinimumSteps), MinimumSteps, $"minimum steps must be at least 1 (or null for none), got {MinimumSteps}");
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"batch size must be at least 1, got {BatchSize}");
        if (PredictionBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(PredictionBatchSize), PredictionBatchSize, $"prediction batch size must be at least 1, got {PredictionBatchSize}");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, $"validation fraction must be in [0, 1), got {ValidationFraction}");
        if (!Enum.IsDefined(Tokenizer))
            throw new ArgumentOutOfRangeException(nameof(Tokenizer), Tokenizer, $"tokenizer must be Word or Character, got {Tokenizer}");
        if (PretrainedVectorsPath is not null && string.IsNullOrWhiteSpace(PretrainedVectorsPath))
            throw new ArgumentException($"pretrained vectors path must name a file (or be null for none), got '{PretrainedVectorsPath}'", nameof(PretrainedVectorsPath));
        if (!Enum.IsDefined(PretrainedVectorsFormat))
            throw new ArgumentOutOfRangeException(nameof(PretrainedVectorsFormat), PretrainedVectorsFormat, $"pretrained vectors format must be Auto, Text or Word2VecBinary, got {PretrainedVectorsFormat}");
        ValidateShared();
        ModelOptions(vocabularySize: 2, classCount: 2).Validate();
        TrainerOptions().Validate();
    }

    internal SequenceClassifierOptions ModelOptions(int vocabularySize, int classCount) => new()
    {
        VocabularySize = vocabularySize,
        ClassCount = classCount,
        EmbeddingSize = EmbeddingSize,
        HiddenSize = HiddenSize,
        NumLayers = NumLayers,
        Bidirectional = Bidirectional,
        Cell = Cell,
        Pooling = Pooling,
        Dropout = Dropout,
        EmbeddingDropout = EmbeddingDropout,
        InputDropout = InputDropout,
        OutputDropout = OutputDropout,
        Backend = Backend,
    };

    internal TrainerOptions TrainerOptions(int seed = 0, int trainingRows = 0) => TrainerOptionsWith(EpochsFor(trainingRows), LearningRate, EarlyStoppingPatience, "accuracy", seed);

    /// <summary>
    /// The epochs to train on <paramref name="trainingRows"/> rows: <see cref="Epochs"/>, raised when that many epochs
    /// would take fewer than <see cref="MinimumSteps"/> optimizer steps (⌈rows / <see cref="BatchSize"/>⌉ per epoch) to
    /// the fewest epochs that take them.
    /// </summary>
    internal int EpochsFor(int trainingRows)
    {
        if (MinimumSteps is not { } minimum || trainingRows < 1) return Epochs;
        long perEpoch = (trainingRows + (long)BatchSize - 1) / BatchSize;
        long needed = (minimum + perEpoch - 1) / perEpoch;
        return (int)Math.Max(Epochs, Math.Min(needed, int.MaxValue));
    }
}
