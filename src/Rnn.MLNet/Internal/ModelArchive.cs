using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.Transforms;

namespace RnnMl.MLNet.Internal;

/// <summary>
/// One .zip holds ML.NET's model (with a placeholder where each RnnMl transformer is) and, under <c>RnnMl/</c>, each
/// RnnMl transformer's metadata, vocabulary and TorchSharp weights, with SHA-256 checksums in <c>RnnMl/manifest.json</c>.
/// </summary>
/// <remarks>
/// ML.NET keeps the machinery for custom loadable transformers internal (re-checked on 6.0.0: LoadableClassAttribute
/// and every member of ModelSaveContext are still internal), so an RnnMl transformer saves itself into ML.NET's format
/// as a <c>CustomMapping</c> placeholder, and <see cref="Load"/> puts the real transformers back in
/// its place, in the order they were saved. The placeholder records the full name of the Rnn.MLNet assembly, but ML.NET
/// finds its factory by contract name, so the recorded version does not matter; the AssemblyVersion stays Major.Minor.0.0
/// across patch releases anyway (Directory.Build.props). A model saved under ML.NET 5.0.1 loads under 6.0.0
/// (ModelCompatibilityTests). What changes between RnnMl versions is the archive's format version in the manifest,
/// which an older RnnMl refuses with a message naming the versions it reads.
/// </remarks>
internal static class ModelArchive
{
    public const string ContractName = "RnnMl.RecurrentTransformer (load this model with mlContext.Model.LoadRnnModel from the RnnMl.MLNet package)";
    public const string LoadInstead = "This model holds an RnnMl transformer whose TorchSharp weights ML.NET's loader cannot read; load it with mlContext.Model.LoadRnnModel(path, out inputSchema) (namespace RnnMl.MLNet).";
    public const string SaveInstead = "An RnnMl transformer keeps TorchSharp weights that ML.NET's model format cannot hold; save the model with mlContext.Model.SaveRnnModel(model, inputSchema, path) and load it with mlContext.Model.LoadRnnModel(path, out inputSchema) (namespace RnnMl.MLNet).";
    private const string Prefix = "RnnMl/";
    private const string ManifestEntry = "RnnMl/manifest.json";
    private const string Format = "RnnMl model";

    /// <summary>The absolute ceiling on one archive entry's uncompressed size (1 GiB), whatever the manifest declares.</summary>
    public const long MaxEntryBytes = 1L << 30;

    /// <summary>The ceiling on the manifest's own size (16 MiB).</summary>
    private const long MaxManifestBytes = 16L << 20;

    /// <summary>JSON settings for the archive's own entries (enums by name, indented).</summary>
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    [ThreadStatic] private static List<IArchivedTransformer>? saving;
    [ThreadStatic] private static bool loading;

    public static bool IsLoading => loading;

    public static void SaveTransformer(IArchivedTransformer transformer, ModelSaveContext ctx)
    {
        if (saving is null) throw new InvalidOperationException(SaveInstead);
        saving.Add(transformer);
        var ml = new MLContext();
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<PlaceholderRow>());
        var placeholder = ml.Transforms.CustomMapping<PlaceholderRow, PlaceholderRow>(static (_, _) => { }, ContractName).Fit(empty);
        ((ICanSaveModel)placeholder).Save(ctx);
    }

    public static void Save(ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string filePath)
    {
        var full = Path.GetFullPath(filePath);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"cannot save the model to '{full}': the folder '{directory}' does not exist");
        // A disposed transformer has no weights left to save: refuse before any file is touched (on main this wrote a
        // 1-byte weights.bin over a good model). The leases also make a concurrent Dispose wait for the save.
        var leases = new List<Text.Internal.UsageGate.Lease>();
        try
        {
            foreach (var t in RnnOnnxOperations.Flatten(model).OfType<IArchivedTransformer>()) leases.Add(t.Gate.Enter());
            SaveLeased(catalog, model, inputSchema, full, directory);
        }
        finally
        {
            foreach (var lease in leases) lease.Dispose();
        }
    }

    private static void SaveLeased(ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string full, string directory)
    {
        // Written beside the target and moved over it at the end, so an interrupted save leaves the old file intact; the
        // temporary files such interrupted saves left behind are removed first.
        Text.Internal.TempFiles.RemoveStale(full);
        var temp = Text.Internal.TempFiles.Beside(full);
        try
        {
            List<IArchivedTransformer> saved;
            saving = new List<IArchivedTransformer>();
            try
            {
                using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write);
                catalog.Save(model, inputSchema, stream);
            }
            finally
            {
                saved = saving!;
                saving = null;
            }
            using (var zip = ZipFile.Open(temp, ZipArchiveMode.Update))
            {
                var sums = new SortedDictionary<string, string>(StringComparer.Ordinal);
                var lengths = new SortedDictionary<string, long>(StringComparer.Ordinal);
                for (int k = 0; k < saved.Count; k++)
                {
                    foreach (var (name, bytes) in saved[k].ArchiveEntries())
                    {
                        var entryName = $"{Prefix}{k:D3}/{name}";
                        Write(zip, entryName, bytes);
                        sums[entryName] = Convert.ToHexString(SHA256.HashData(bytes));
                        lengths[entryName] = bytes.Length;
                    }
                }
                var manifest = new Manifest(Format, 2, saved.Count, sums, saved.Select(t => t.ArchiveKind).ToArray(), lengths);
                Write(zip, ManifestEntry, JsonSerializer.SerializeToUtf8Bytes(manifest, Json));
            }
            using (var flush = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite)) flush.Flush(flushToDisk: true);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static ITransformer Load(ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema)
    {
        var full = Path.GetFullPath(filePath);
        if (!File.Exists(full))
            throw new FileNotFoundException($"no model file at '{full}'", full);
        var transformers = new List<IArchivedTransformer>();
        try
        {
            // The file is read where it lies (not buffered whole) and each entry through a size cap, so a zip bomb costs
            // neither memory nor much time.
            using (var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read))
            using (var zip = OpenZip(file, full))
            {
                var manifestBytes = ReadEntry(zip, ManifestEntry, expectedSha256: null, declaredLength: null, MaxManifestBytes, full)
                    ?? throw new InvalidDataException($"'{full}' has no {ManifestEntry}: it was not saved with mlContext.Model.SaveRnnModel; if it is a plain ML.NET model, load it with mlContext.Model.Load");
                Manifest manifest;
                try { manifest = JsonSerializer.Deserialize<Manifest>(manifestBytes, Json) ?? throw new InvalidDataException("empty manifest"); }
                catch (JsonException e) { throw new InvalidDataException($"'{full}' is corrupt: its RnnMl manifest is not valid JSON ({e.Message})", e); }
                if (manifest.Format != Format || manifest.Version is not (1 or 2))
                    throw new InvalidDataException($"'{full}' has an RnnMl manifest of format '{manifest.Format}' version {manifest.Version}; this RnnMl.MLNet reads '{Format}' versions 1 and 2" +
                        (manifest.Format == Format && manifest.Version > 2 ? " (the file was saved by a newer RnnMl.MLNet: update the package to load it)" : ""));
                if (manifest.Transformers is < 0 or > 1000)
                    throw new InvalidDataException($"'{full}' is corrupt: its manifest lists {manifest.Transformers} transformers (0 to 1000 expected)");
                // Version 1 held text classifiers only and did not name kinds.
                var kinds = manifest.Kinds ?? Enumerable.Repeat(ClassifierArchive.Format.Kind, manifest.Transformers).ToArray();
                if (kinds.Length != manifest.Transformers)
                    throw new InvalidDataException($"'{full}' is corrupt: its manifest lists {manifest.Transformers} transformer(s) but {kinds.Length} kind(s)");
                var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                if (manifest.Sha256 is null)
                    throw new InvalidDataException($"'{full}' is corrupt: its RnnMl manifest has no checksums");
                foreach (var (name, expected) in manifest.Sha256)
                {
                    long? declared = manifest.Lengths is { } lengths ? (lengths.TryGetValue(name, out var n) ? n
                        : throw new InvalidDataException($"'{full}' is corrupt: the manifest declares no length for the entry '{name}'")) : null;
                    entries[name] = ReadEntry(zip, name, expected, declared, MaxEntryBytes, full)
                        ?? throw new InvalidDataException($"'{full}' is corrupt: the entry '{name}' is missing");
                }
                for (int k = 0; k < manifest.Transformers; k++)
                {
                    if (!Formats.TryGetValue(kinds[k], out var format))
                        throw new InvalidDataException($"'{full}' holds an RnnMl transformer of kind '{kinds[k]}', which this version of RnnMl.MLNet does not know (it knows {string.Join(", ", Formats.Keys)})");
                    var entry = new ArchiveEntries(entries, $"{Prefix}{k:D3}/", full);
                    transformers.Add(format.Rebuild(entry));
                }
            }

            ITransformer loaded;
            loading = true;
            try
            {
                using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
                loaded = catalog.Load(stream, out inputSchema);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException($"'{full}' could not be loaded by ML.NET: {Innermost(e).Message}", e);
            }
            finally
            {
                loading = false;
            }

            int used = 0;
            var result = Replace(loaded, transformers, ref used);
            if (used != transformers.Count)
                throw new InvalidDataException($"'{full}' is inconsistent: its manifest lists {transformers.Count} RnnMl transformer(s) but the ML.NET model holds {used} placeholder(s)");
            return result;
        }
        catch
        {
            foreach (var t in transformers) t.Dispose();
            throw;
        }
    }

    /// <summary>How each kind of transformer is rebuilt from its entries; a new kind of RnnMl transformer adds itself here.</summary>
    private static readonly Dictionary<string, IArchiveFormat> Formats = new IArchiveFormat[]
    {
        ClassifierArchive.Format, TranslatorArchive.Format, GeneratorArchive.Format, TaggerArchive.Format, ForecasterArchive.Format, NumericSequenceArchive.Format,
    }.ToDictionary(f => f.Kind, StringComparer.Ordinal);

    private static ITransformer Replace(ITransformer node, List<IArchivedTransformer> transformers, ref int used)
    {
        if (node is CustomMappingTransformer<PlaceholderRow, PlaceholderRow>)
        {
            if (used >= transformers.Count)
                throw new InvalidDataException($"the ML.NET model holds more RnnMl placeholders than the {transformers.Count} transformer(s) saved with it");
            return transformers[used++];
        }
        if (node is TransformerChain<ITransformer> chain)
        {
            var parts = new List<ITransformer>();
            foreach (var part in chain) parts.Add(Replace(part, transformers, ref used));
            return new TransformerChain<ITransformer>(parts.ToArray());
        }
        return node;
    }

    private static ZipArchive OpenZip(Stream stream, string file)
    {
        try { return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{file}' is not a readable model: the zip is truncated or corrupt ({e.Message})", e); }
    }

    /// <summary>Reads one entry through a size cap (the declared length, else <paramref name="ceiling"/>): a first pass hashes
    /// the stream without keeping it, so a bomb or a forged entry is rejected in constant memory; only an entry whose
    /// length and SHA-256 match is read into an array of exactly that length (and hashed again). Null if there is no such entry.</summary>
    private static byte[]? ReadEntry(ZipArchive zip, string name, string? expectedSha256, long? declaredLength, long ceiling, string file)
    {
        var entry = zip.GetEntry(name);
        if (entry is null) return null;
        if (declaredLength is < 0 || declaredLength > ceiling)
            throw new InvalidDataException($"'{file}' is corrupt: the manifest declares {declaredLength} bytes for the entry '{name}'; an entry holds 0 to {ceiling} bytes");
        long cap = declaredLength ?? ceiling;
        string limit = declaredLength is null ? $"the ceiling of {ceiling} bytes" : $"the {cap} bytes the manifest declares";
        if (entry.Length > cap)
            throw new InvalidDataException($"'{file}' is corrupt: the entry '{name}' holds {entry.Length} bytes, more than {limit}");
        try
        {
            var (length, sha) = Pass(entry, cap, null, name, file, limit);
            if (declaredLength is long d && length != d)
                throw new InvalidDataException($"'{file}' is corrupt: the entry '{name}' holds {length} bytes, the manifest declares {d}");
            if (expectedSha256 is not null && !string.Equals(sha, expectedSha256, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"'{file}' is corrupt: the checksum of '{name}' does not match (expected {expectedSha256}, got {sha})");
            var bytes = new byte[length];
            var (again, sha2) = Pass(entry, length, bytes, name, file, limit);
            if (again != length || sha2 != sha)
                throw new InvalidDataException($"'{file}' changed while it was read: the entry '{name}' differs between two reads");
            return bytes;
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith($"'{file}'", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{file}' is corrupt: the entry '{name}' cannot be read ({e.Message})", e);
        }
    }

    // Streams an entry through SHA-256, failing as soon as it exceeds cap bytes; copies it into target when given.
    private static (long Length, string Sha256) Pass(ZipArchiveEntry entry, long cap, byte[]? target, string name, string file, string limit)
    {
        using var s = entry.Open();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = s.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (total + read > cap)
                throw new InvalidDataException($"'{file}' is corrupt: the entry '{name}' holds more than {limit}");
            hash.AppendData(buffer, 0, read);
            if (target is not null) Buffer.BlockCopy(buffer, 0, target, (int)total, read);
            total += read;
        }
        return (total, Convert.ToHexString(hash.GetHashAndReset()));
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes)
    {
        zip.GetEntry(name)?.Delete();
        using var s = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        s.Write(bytes);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    /// <summary>The manifest; <c>Lengths</c> (each entry's uncompressed size) is absent from files written before it existed.</summary>
    private sealed record Manifest(string Format, int Version, int Transformers, SortedDictionary<string, string> Sha256, string[]? Kinds = null,
        SortedDictionary<string, long>? Lengths = null);
}
