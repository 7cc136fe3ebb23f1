using TorchSharp;

namespace RnnMl.MLNet.Internal;

/// <summary>
/// The layout every kind of saved transformer shares: <c>meta.json</c> (the kind's <typeparamref name="TMetadata"/> as JSON),
/// then the kind's own entries (vocabularies, subword models), then <c>weights.bin</c> (the TorchSharp weights). Reading
/// checks the metadata's format version and prediction batch size, then hands it to the kind with a
/// <see cref="MetadataCheck"/>; a kind supplies only what it describes and how it rebuilds itself.
/// </summary>
internal abstract class ArchiveFormat<TTransformer, TMetadata> : IArchiveFormat
    where TTransformer : class, IArchivedTransformer
    where TMetadata : class, IArchiveMetadata
{
    /// <summary>The metadata entry of every kind.</summary>
    public const string MetaEntry = "meta.json";

    /// <summary>The weights entry of every kind.</summary>
    public const string WeightsEntry = "weights.bin";

    public abstract string Kind { get; }

    public IEnumerable<(string Name, byte[] Bytes)> Entries(IArchivedTransformer transformer)
    {
        var t = (TTransformer)transformer;
        yield return ArchiveEntries.Json(MetaEntry, Describe(t));
        foreach (var entry in OwnEntries(t)) yield return entry;
        yield return ArchiveEntries.Of(WeightsEntry, Weights(t));
    }

    public IArchivedTransformer Rebuild(ArchiveEntries entries)
    {
        var meta = entries.ReadMetadata<TMetadata>(MetaEntry, m => m.FormatVersion);
        var check = new MetadataCheck(entries);
        check.AtLeast(meta.PredictionBatchSize, 1, nameof(meta.PredictionBatchSize));
        return Rebuild(entries, meta, check);
    }

    /// <summary>What <c>meta.json</c> holds for <paramref name="transformer"/>.</summary>
    protected abstract TMetadata Describe(TTransformer transformer);

    /// <summary>The entries between <c>meta.json</c> and <c>weights.bin</c>; none by default.</summary>
    protected virtual IEnumerable<(string Name, byte[] Bytes)> OwnEntries(TTransformer transformer) => [];

    /// <summary>The module whose weights <c>weights.bin</c> holds.</summary>
    protected abstract torch.nn.Module Weights(TTransformer transformer);

    /// <summary>Checks the rest of <paramref name="meta"/> with <paramref name="check"/> and rebuilds the transformer.</summary>
    protected abstract IArchivedTransformer Rebuild(ArchiveEntries entries, TMetadata meta, MetadataCheck check);

    /// <summary>Loads <c>weights.bin</c> into <paramref name="model"/> (disposing it on failure) and returns it.</summary>
    protected static TModule LoadWeights<TModule>(ArchiveEntries entries, TModule model) where TModule : torch.nn.Module
    {
        entries.LoadWeights(model, WeightsEntry);
        return model;
    }
}
