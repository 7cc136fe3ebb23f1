using RnnMl.Torch.Decoding;
using RnnMl.Torch.Layers;

namespace RnnMl.MLNet.Generation;

/// <summary>Options of the recurrent text generator (a character- or word-level language model). Every default is stated.</summary>
public sealed class RecurrentTextGeneratorOptions : RecurrentTextOptions
{
    /// <summary>Options with the stated defaults; the shared settings default to epochs 10, learning rate 0.003, 32 streams,
    /// prediction batch 32, validation fraction 0.05, hidden size 256, dropout 0, no lower-casing, embedding 64.</summary>
    public RecurrentTextGeneratorOptions()
    {
        TaskDefaults(epochs: 10, learningRate: 3e-3, batchSize: 32, predictionBatchSize: 32, validationFraction: 0.05,
            hiddenSize: 256, dropout: 0);
        LowerCase = false;
        EmbeddingSize = 64;
    }

    /// <summary>The String column the model learns from in <c>Fit</c>; each row is a line (or document) of one long text, in row order. Default "Text".</summary>
    public string TextColumnName { get; set; } = "Text";

    /// <summary>The String column whose values the transformer continues; an empty prompt starts a new line. Default "Prompt".</summary>
    public string PromptColumnName { get; set; } = "Prompt";

    /// <summary>The String column the transformer adds: the generated continuation, without the prompt. Default "GeneratedText".</summary>
    public string OutputColumnName { get; set; } = "GeneratedText";

    /// <summary>Character (default), word or subword tokens (<see cref="RecurrentTextOptions.SubwordVocabularySize"/>).</summary>
    public TokenizerKind Tokenizer { get; set; } = TokenizerKind.Character;

    /// <summary>Largest vocabulary (padding, unknown and line break included); null for no limit. Default 20,000.</summary>
    public int? MaxVocabularySize { get; set; } = 20_000;

    /// <summary>Share the embedding with the output layer; needs <see cref="RecurrentTextOptions.EmbeddingSize"/> = <see cref="RecurrentTrainingOptions.HiddenSize"/>. Default false.</summary>
    public bool TieWeights { get; set; }

    /// <summary>N, contiguous streams of the text trained side by side: the generator's name for
    /// <see cref="RecurrentTrainingOptions.BatchSize"/> (setting either sets both). Default 32.</summary>
    public int Streams
    {
        get => BatchSize;
        set => BatchSize = value;
    }

    /// <summary>k, steps per chunk of truncated BPTT: the state is carried across chunks and the graph cut between them. Default 100.</summary>
    public int BpttSteps { get; set; } = 100;

    /// <summary>
    /// How the transformer generates: temperature, top-k, top-p, maximum length, stop strings and seed. A null seed is
    /// drawn once in <c>Fit</c> (from the MLContext) and saved with the model, so a model always gives the same text for
    /// the same prompt. Default: temperature 1, no top-k or top-p cut, 200 tokens, no stop strings.
    /// </summary>
    public SamplingOptions Sampling { get; set; } = new();

    /// <summary>Called after every epoch with its metrics (<c>"bits"</c>: bits per token) and a generator over the current weights, e.g. to print samples. Default null.</summary>
    public Action<EpochMetrics, TextGenerator>? EpochCompleted { get; set; }

    internal RecurrentTextGeneratorOptions Clone() => (RecurrentTextGeneratorOptions)CloneOptions();

    /// <summary>Throws an <see cref="ArgumentException"/>-family error naming the first bad option and its value.</summary>
    public override void Validate()
    {
        RequireColumns((nameof(TextColumnName), TextColumnName), (nameof(PromptColumnName), PromptColumnName), (nameof(OutputColumnName), OutputColumnName));
        if (MaxVocabularySize is < 4)
            throw new ArgumentOutOfRangeException(nameof(MaxVocabularySize), MaxVocabularySize, $"maximum vocabulary size must be at least 4 (padding, unknown, line break and one token), got {MaxVocabularySize}");
        if (Streams < 1)
            throw new ArgumentOutOfRangeException(nameof(Streams), Streams, $"streams must be at least 1, got {Streams}");
        if (BpttSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(BpttSteps), BpttSteps, $"BPTT steps must be at least 1, got {BpttSteps}");
        if (!Enum.IsDefined(Tokenizer))
            throw new ArgumentOutOfRangeException(nameof(Tokenizer), Tokenizer, $"tokenizer must be Word, Character or Subword, got {Tokenizer}");
        if (Sampling is null)
            throw new ArgumentNullException(nameof(Sampling), "sampling options must be set, got null");
        Sampling.Validate();
        ValidateText();
        ModelOptions(vocabularySize: 4).Validate();
    }

    internal LanguageModelOptions ModelOptions(int vocabularySize) => new()
    {
        VocabularySize = vocabularySize,
        EmbeddingSize = EmbeddingSize,
        HiddenSize = HiddenSize,
        NumLayers = NumLayers,
        Cell = Cell,
        Dropout = Dropout,
        TieWeights = TieWeights,
        Backend = Backend,
    };

}
