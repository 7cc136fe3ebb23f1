using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using RnnMl.MLNet.Classification;
using RnnMl.Torch.Models;
using RnnMl.Torch.Text;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>
/// One .zip holds ML.NET's model (with a placeholder where each RnnMl transformer is) and, under <c>RnnMl/</c>, each
/// RnnMl transformer's metadata, vocabulary and TorchSharp weights, with SHA-256 checksums in <c>RnnMl/manifest.json</c>.
/// </summary>
/// <remarks>
/// ML.NET 5 keeps the machinery for custom loadable transformers internal, so an RnnMl transformer saves itself into
/// ML.NET's format as a <c>CustomMapping</c> placeholder, and <see cref="Load"/> puts the real transformers back in
/// its place, in the order they were saved.
/// </remarks>
internal static class ModelArchive
{
    public const string ContractName = "RnnMl.RecurrentTransformer (load this model with mlContext.Model.LoadRnnModel from the RnnMl.MLNet package)";
    public const string LoadInstead = "This model holds an RnnMl transformer whose TorchSharp weights ML.NET's loader cannot read; load it with mlContext.Model.LoadRnnModel(path, out inputSchema) (namespace RnnMl.MLNet).";
    public const string SaveInstead = "An RnnMl transformer keeps TorchSharp weights that ML.NET's model format cannot hold; save the model with mlContext.Model.SaveRnnModel(model, inputSchema, path) and load it with mlContext.Model.LoadRnnModel(path, out inputSchema) (namespace RnnMl.MLNet).";
    private const string Prefix = "RnnMl/";
    private const string ManifestEntry = "RnnMl/manifest.json";
    private const string Format = "RnnMl model";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    [ThreadStatic] private static List<RecurrentTextClassifierTransformer>? saving;
    [ThreadStatic] private static bool loading;

    public static bool IsLoading => loading;

    public static void SaveTransformer(RecurrentTextClassifierTransformer transformer, ModelSaveContext ctx)
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
        // Written beside the target and moved over it at the end, so an interrupted save leaves the old file intact.
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            List<RecurrentTextClassifierTransformer> saved;
            saving = new List<RecurrentTextClassifierTransformer>();
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
                for (int k = 0; k < saved.Count; k++)
                {
                    foreach (var (name, bytes) in Entries(saved[k]))
                    {
                        var entryName = $"{Prefix}{k:D3}/{name}";
                        Write(zip, entryName, bytes);
                        sums[entryName] = Convert.ToHexString(SHA256.HashData(bytes));
                    }
                }
                var manifest = new Manifest(Format, 1, saved.Count, sums);
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
        byte[] fileBytes = File.ReadAllBytes(full);
        var transformers = new List<RecurrentTextClassifierTransformer>();
        try
        {
            using (var zip = OpenZip(fileBytes, full))
            {
                var manifestBytes = ReadEntry(zip, ManifestEntry, full)
                    ?? throw new InvalidDataException($"'{full}' has no {ManifestEntry}: it was not saved with mlContext.Model.SaveRnnModel; if it is a plain ML.NET model, load it with mlContext.Model.Load");
                Manifest manifest;
                try { manifest = JsonSerializer.Deserialize<Manifest>(manifestBytes, Json) ?? throw new InvalidDataException("empty manifest"); }
                catch (JsonException e) { throw new InvalidDataException($"'{full}' is corrupt: its RnnMl manifest is not valid JSON ({e.Message})", e); }
                if (manifest.Format != Format || manifest.Version != 1)
                    throw new InvalidDataException($"'{full}' has an RnnMl manifest of format '{manifest.Format}' version {manifest.Version}; this library reads '{Format}' version 1");
                var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                foreach (var (name, expected) in manifest.Sha256)
                {
                    var bytes = ReadEntry(zip, name, full) ?? throw new InvalidDataException($"'{full}' is corrupt: the entry '{name}' is missing");
                    var actual = Convert.ToHexString(SHA256.HashData(bytes));
                    if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                        throw new InvalidDataException($"'{full}' is corrupt: the checksum of '{name}' does not match (expected {expected}, got {actual})");
                    entries[name] = bytes;
                }
                for (int k = 0; k < manifest.Transformers; k++)
                    transformers.Add(Rebuild(entries, $"{Prefix}{k:D3}/", full));
            }

            ITransformer loaded;
            loading = true;
            try
            {
                using var stream = new MemoryStream(fileBytes, writable: false);
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

    private static ITransformer Replace(ITransformer node, List<RecurrentTextClassifierTransformer> transformers, ref int used)
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

    private static IEnumerable<(string Name, byte[] Bytes)> Entries(RecurrentTextClassifierTransformer t)
    {
        var encoder = t.Core.Encoder;
        var meta = new ModelMetadata
        {
            Kind = t.Kind,
            TextColumnName = t.TextColumnName,
            OutputColumnNames = t.Outputs.Names,
            ClassNames = t.Outputs.ClassNames,
            InputKind = encoder.Kind,
            Tokenizer = encoder.Tokenizer.Kind,
            LowerCase = encoder.Tokenizer.LowerCase,
            Normalization = encoder.Tokenizer.Normalization,
            KeyCount = encoder.KeyCount,
            MaxSequenceLength = encoder.MaxLength,
            PredictionBatchSize = t.PredictionBatchSize,
            Model = t.Model.Options,
        };
        yield return ("meta.json", JsonSerializer.SerializeToUtf8Bytes(meta, Json));
        if (encoder.Vocabulary is not null)
        {
            using var vocabulary = new MemoryStream();
            encoder.Vocabulary.Save(vocabulary);
            yield return ("vocabulary.json", vocabulary.ToArray());
        }
        using var weights = new MemoryStream();
        t.Model.save(weights);
        yield return ("weights.bin", weights.ToArray());
    }

    private static RecurrentTextClassifierTransformer Rebuild(Dictionary<string, byte[]> entries, string prefix, string file)
    {
        byte[] Get(string name) => entries.TryGetValue(prefix + name, out var b) ? b
            : throw new InvalidDataException($"'{file}' is corrupt: the entry '{prefix + name}' is missing");
        ModelMetadata meta;
        try { meta = JsonSerializer.Deserialize<ModelMetadata>(Get("meta.json"), Json) ?? throw new InvalidDataException("empty"); }
        catch (JsonException e) { throw new InvalidDataException($"'{file}' is corrupt: '{prefix}meta.json' is not valid ({e.Message})", e); }
        if (meta.FormatVersion != 1)
            throw new InvalidDataException($"'{file}': '{prefix}meta.json' has format version {meta.FormatVersion}; this library reads version 1");
        Vocabulary? vocabulary = null;
        if (meta.InputKind != InputColumnKind.Keys)
        {
            using var v = new MemoryStream(Get("vocabulary.json"));
            vocabulary = Vocabulary.Load(v);
        }
        var tokenizer = Tokenizer.Create(meta.Tokenizer, meta.LowerCase, meta.Normalization);
        var encoder = new TokenEncoder(meta.InputKind, tokenizer, vocabulary, meta.KeyCount, meta.MaxSequenceLength);
        if (encoder.VocabularySize != meta.Model.VocabularySize)
            throw new InvalidDataException($"'{file}' is inconsistent: the model expects {meta.Model.VocabularySize} token ids, the vocabulary has {encoder.VocabularySize}");
        var model = SequenceClassifier.Create(meta.Model);
        try
        {
            using var w = new MemoryStream(Get("weights.bin"));
            model.load(w, strict: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            model.Dispose();
            throw new InvalidDataException($"'{file}' is corrupt: the weights in '{prefix}weights.bin' do not fit the model ({e.Message})", e);
        }
        var names = meta.OutputColumnNames;
        var outputs = meta.Kind == ClassificationKind.Binary
            ? new OutputColumns(meta.Kind, 2, names[0], names[1], names[2], meta.ClassNames)
            : new OutputColumns(meta.Kind, meta.Model.ClassCount, names[0], "", names[1], meta.ClassNames);
        return new RecurrentTextClassifierTransformer(new ClassifierCore(model, encoder, CPU), outputs, meta.TextColumnName, meta.PredictionBatchSize, training: null);
    }

    private static ZipArchive OpenZip(byte[] bytes, string file)
    {
        try { return new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read); }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{file}' is not a readable model: the zip is truncated or corrupt ({e.Message})", e); }
    }

    private static byte[]? ReadEntry(ZipArchive zip, string name, string file)
    {
        var entry = zip.GetEntry(name);
        if (entry is null) return null;
        try
        {
            using var s = entry.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{file}' is corrupt: the entry '{name}' cannot be read ({e.Message})", e); }
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

    private sealed record Manifest(string Format, int Version, int Transformers, SortedDictionary<string, string> Sha256);
}
