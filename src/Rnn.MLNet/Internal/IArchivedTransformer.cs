using RnnMl.Text.Internal;

namespace RnnMl.MLNet.Internal;

/// <summary>
/// An RnnMl transformer that <see cref="ModelArchive"/> can save: it names its kind (the key under which
/// <see cref="ModelArchive"/> finds how to rebuild it) and lists the entries it needs to be rebuilt.
/// </summary>
/// <remarks>
/// Its <c>ICanSaveModel.Save</c> calls <see cref="ModelArchive.SaveTransformer"/>, which writes a placeholder into
/// ML.NET's model and remembers the transformer so that <see cref="ArchiveEntries"/> is written beside it.
/// </remarks>
internal interface IArchivedTransformer : ITransformer, IDisposable
{
    /// <summary>The kind's stable name in saved files, e.g. "TextClassifier".</summary>
    string ArchiveKind { get; }

    /// <summary>Guards the transformer's native memory: a save holds a lease, so a disposed transformer is refused before
    /// any file is touched and a concurrent <c>Dispose</c> waits for the save.</summary>
    UsageGate Gate { get; }

    /// <summary>The entries (file name inside this transformer's folder, bytes) that rebuild it.</summary>
    IEnumerable<(string Name, byte[] Bytes)> ArchiveEntries();
}
