using RnnMl.Text;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;

namespace RnnMl.Samples.Translation;

/// <summary>What the training command was asked to do; the defaults are tuned for the built-in corpus.</summary>
internal sealed class TrainSettings
{
    public string? DataPath { get; set; }
    public string? SourcePath { get; set; }
    public string? TargetPath { get; set; }
    public bool Reverse { get; set; }
    public string? TestSourcePath { get; set; }
    public string? TestTargetPath { get; set; }
    public TokenizerKind SourceTokenizer { get; set; } = TokenizerKind.Word;
    public TokenizerKind TargetTokenizer { get; set; } = TokenizerKind.Word;
    public int SubwordVocabularySize { get; set; } = 8_000;
    public bool JointSubwordVocabulary { get; set; }
    public AttentionKind Attention { get; set; } = AttentionKind.LuongGeneral;
    public RecurrentCellKind Cell { get; set; } = RecurrentCellKind.Gru;
    public int Layers { get; set; } = 1;
    // Null: the built-in corpus's tuned value below, or on file data (--data, --source) the library's default.
    public int? HiddenSize { get; set; }
    public int? EmbeddingSize { get; set; }
    public int? Epochs { get; set; }
    public int BatchSize { get; set; } = 64;
    public double? LearningRate { get; set; }

    /// <summary>Built-in corpus: hidden size, embedding size, epochs and learning rate tuned for it.</summary>
    public const int BuiltInHiddenSize = 128, BuiltInEmbeddingSize = 64, BuiltInEpochs = 8;

    /// <summary>Built-in corpus: the learning rate tuned for it.</summary>
    public const double BuiltInLearningRate = 0.003;

    /// <summary>Whether the sample trains on its built-in corpus (no --data, no --source).</summary>
    public bool BuiltIn => DataPath is null && SourcePath is null;

    /// <summary>Sets hidden size, embedding size, epochs and learning rate: the values given on the command line; else on the
    /// built-in corpus its tuned values (no label smoothing, untied output); else (file data) the library's defaults, left as they are.</summary>
    public void ApplySizes(RnnMl.MLNet.Translation.RecurrentTranslatorOptions options)
    {
        if ((HiddenSize ?? (BuiltIn ? BuiltInHiddenSize : (int?)null)) is { } hidden) options.HiddenSize = hidden;
        if ((EmbeddingSize ?? (BuiltIn ? BuiltInEmbeddingSize : (int?)null)) is { } embedding) options.EmbeddingSize = embedding;
        if ((Epochs ?? (BuiltIn ? BuiltInEpochs : (int?)null)) is { } epochs) options.Epochs = epochs;
        if ((LearningRate ?? (BuiltIn ? BuiltInLearningRate : (double?)null)) is { } rate) options.LearningRate = rate;
        // The built-in corpus is a deterministic mapping, learned exactly in its 8 epochs without smoothing; its sizes were
        // tuned untied, with dropout 0.2 at a constant rate (the library's defaults are chosen for real corpora).
        if (BuiltIn)
            (options.LabelSmoothing, options.TieEmbeddings, options.Dropout, options.Schedule) = (0, false, 0.2, RnnMl.Torch.Training.LearningRateSchedule.Constant);
    }
    public int BeamWidth { get; set; } = 5;
    public double? Minutes { get; set; }
    public int? MaxPairs { get; set; }
    public string ModelOut { get; set; } = "translation-model.zip";
    public string HeatmapOut { get; set; } = "translation-attention.png";
    public int Seed { get; set; } = 1;
    public int Threads { get; set; } = 1;

    /// <summary>Built-in corpus: training pairs.</summary>
    public const int BuiltInTrainCount = 12_000;

    /// <summary>Built-in corpus: held-out test pairs (no English sentence of them is in the training pairs).</summary>
    public const int BuiltInTestCount = 500;

    /// <summary>Share of file data held out for testing (at most <see cref="MaxTestCount"/> pairs).</summary>
    public const double HoldOutFraction = 0.05;

    /// <summary>The largest held-out test set taken from file data.</summary>
    public const int MaxTestCount = 1_000;
}
