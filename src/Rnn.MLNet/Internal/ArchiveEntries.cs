using System.Text.Json;
using TorchSharp;

namespace RnnMl.MLNet.Internal;

/// <summary>One saved transformer's entries, checksums already verified, with readers that report a corrupt file by name.</summary>
internal sealed class ArchiveEntries
{
    private readonly Dictionary<string, byte[]> entries;

    public ArchiveEntries(Dictionary<string, byte[]> entries, string prefix, string file)
    {
        this.entries = entries;
        Prefix = prefix;
        File = file;
    }

    /// <summary>The transformer's folder inside the zip, e.g. "RnnMl/000/".</summary>
    public string Prefix { get; }

    /// <summary>The model file's full path, for messages.</summary>
    public string File { get; }

    public bool Contains(string name) => entries.ContainsKey(Prefix + name);

    public byte[] Get(string name) => entries.TryGetValue(Prefix + name, out var b) ? b
        : throw new InvalidDataException($"'{File}' is corrupt: the entry '{Prefix + name}' is missing");

    /// <summary>Reads <paramref name="name"/> as JSON metadata of format version 1 (the only version written so far).</summary>
    /// <exception cref="InvalidDataException">The entry is missing or malformed, or has another format version.</exception>
    public T ReadMetadata<T>(string name, Func<T, int> formatVersion)
    {
        var meta = ReadJson<T>(name);
        int version = formatVersion(meta);
        if (version != 1)
            throw new InvalidDataException($"'{File}': '{Prefix}{name}' has format version {version}; this library reads version 1");
        return meta;
    }

    public T ReadJson<T>(string name)
    {
        try { return JsonSerializer.Deserialize<T>(Get(name), ModelArchive.Json) ?? throw new InvalidDataException("empty"); }
        catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
        {
            throw new InvalidDataException($"'{File}' is corrupt: '{Prefix}{name}' is not valid ({e.Message})", e);
        }
    }

    public Vocabulary ReadVocabulary(string name)
    {
        using var stream = new MemoryStream(Get(name));
        try { return Vocabulary.Load(stream); }
        catch (Exception e) when (e is JsonException or InvalidDataException or ArgumentException)
        {
            throw new InvalidDataException($"'{File}' is corrupt: '{Prefix}{name}' is not a vocabulary ({e.Message})", e);
        }
    }

    /// <summary>The subword model in <paramref name="name"/> when <paramref name="kind"/> is
    /// <see cref="TokenizerKind.Subword"/>; null for other kinds (and for archives written before subwords existed).</summary>
    public SubwordModel? ReadSubwords(TokenizerKind kind, string name)
    {
        if (kind != TokenizerKind.Subword) return null;
        using var stream = new MemoryStream(Get(name));
        try { return SubwordModel.Load(stream); }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{File}' is corrupt: '{Prefix}{name}' is not a subword model ({e.Message})", e);
        }
    }

    /// <summary>The tokenizer saved as <paramref name="kind"/>, <paramref name="lowerCase"/> and <paramref name="normalization"/>,
    /// with the subword model in <paramref name="subwords"/> when the kind is <see cref="TokenizerKind.Subword"/>.</summary>
    public Tokenizer ReadTokenizer(TokenizerKind kind, bool lowerCase, TextNormalization normalization, string subwords) =>
        Tokenizer.Create(kind, lowerCase, normalization, ReadSubwords(kind, subwords));

    /// <summary>Loads weights into <paramref name="module"/> (strict, or 0.1.0's layout through <see cref="LegacyWeights"/>);
    /// on failure disposes the module and reports the entry.</summary>
    public void LoadWeights(torch.nn.Module module, string name)
    {
        try
        {
            var bytes = Get(name);
            try
            {
                using var stream = new MemoryStream(bytes);
                module.load(stream, strict: true);
            }
            catch (Exception e) when (LegacyWeights.IsCountMismatch(e))
            {
                LegacyWeights.Load(module, bytes);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            module.Dispose();
            throw new InvalidDataException($"'{File}' is corrupt: the weights in '{Prefix}{name}' do not fit the model ({e.Message})", e);
        }
    }

    public static (string Name, byte[] Bytes) Json<T>(string name, T value) => (name, JsonSerializer.SerializeToUtf8Bytes(value, ModelArchive.Json));

    public static (string Name, byte[] Bytes) Of(string name, Vocabulary vocabulary)
    {
        using var stream = new MemoryStream();
        vocabulary.Save(stream);
        return (name, stream.ToArray());
    }

    public static (string Name, byte[] Bytes) Of(string name, SubwordModel subwords)
    {
        using var stream = new MemoryStream();
        subwords.Save(stream);
        return (name, stream.ToArray());
    }

    public static (string Name, byte[] Bytes) Of(string name, torch.nn.Module module)
    {
        using var stream = new MemoryStream();
        module.save(stream);
        return (name, stream.ToArray());
    }
}
