using RnnMl.MLNet.Classification;
using RnnMl.Torch.Text;

namespace RnnMl.MLNet.Internal;

/// <summary>What is saved next to a classifier's weights to rebuild it.</summary>
internal sealed record ModelMetadata : IArchiveMetadata
{
    public int FormatVersion { get; init; } = 1;
    public ClassificationKind Kind { get; init; }
    public string TextColumnName { get; init; } = "";
    public string[] OutputColumnNames { get; init; } = Array.Empty<string>();
    public string[]? ClassNames { get; init; }
    public InputColumnKind InputKind { get; init; }
    public TokenizerKind Tokenizer { get; init; }
    public bool LowerCase { get; init; }
    public TextNormalization Normalization { get; init; }
    public int KeyCount { get; init; }
    public int? MaxSequenceLength { get; init; }
    public int PredictionBatchSize { get; init; }
    public SequenceClassifierOptions Model { get; init; } = new();

    /// <summary>K members, each shaped by <see cref="Model"/>: member 0 in <c>weights.bin</c>, member k in
    /// <c>weights-k.bin</c>; absent (null) for one, as in archives written before ensembles.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? EnsembleSize { get; init; }
}
