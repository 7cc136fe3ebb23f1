namespace RnnMl.MLNet.Internal;

/// <summary>What every kind's <c>meta.json</c> record holds besides its own settings (see <see cref="ArchiveFormat{TTransformer, TMetadata}"/>).</summary>
internal interface IArchiveMetadata
{
    /// <summary>The record's format version; 1 is the only version written so far.</summary>
    int FormatVersion { get; }

    /// <summary>The rows the rebuilt transformer scores per batch; at least 1.</summary>
    int PredictionBatchSize { get; }
}
