using RnnMl.Text.Decoding;
using RnnMl.Torch.Decoding;

namespace RnnMl.MLNet.Internal;

/// <summary>What is saved next to a translator's weights to rebuild it.</summary>
internal sealed record TranslatorMetadata : IArchiveMetadata
{
    public int FormatVersion { get; init; } = 1;
    public string SourceColumnName { get; init; } = "";
    public string OutputColumnName { get; init; } = "";
    public TokenizerKind SourceTokenizer { get; init; }
    public TokenizerKind TargetTokenizer { get; init; }
    public bool LowerCase { get; init; }
    public TextNormalization Normalization { get; init; }
    public int MaxSourceLength { get; init; }
    public int PredictionBatchSize { get; init; }
    public DecodingOptions Decoding { get; init; } = new();
    public Seq2SeqOptions Model { get; init; } = new();
}
