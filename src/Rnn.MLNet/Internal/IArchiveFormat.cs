namespace RnnMl.MLNet.Internal;

/// <summary>How one kind of RnnMl transformer is written to and rebuilt from a model archive; the kinds are listed in
/// <see cref="ModelArchive"/>, and each transformer names its own.</summary>
internal interface IArchiveFormat
{
    /// <summary>The kind's stable name in saved files, e.g. "TextClassifier".</summary>
    string Kind { get; }

    /// <summary>The entries (file name inside the transformer's folder, bytes) that rebuild <paramref name="transformer"/>.</summary>
    IEnumerable<(string Name, byte[] Bytes)> Entries(IArchivedTransformer transformer);

    /// <summary>Rebuilds a transformer of this kind from its verified entries.</summary>
    /// <exception cref="InvalidDataException">An entry is missing, malformed or inconsistent; the message names it.</exception>
    IArchivedTransformer Rebuild(ArchiveEntries entries);
}
