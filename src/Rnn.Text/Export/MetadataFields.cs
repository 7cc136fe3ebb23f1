using System.Globalization;
using System.Text;

namespace RnnMl.Text.Export;

/// <summary>Reads and writes the tokenizer, vocabulary and number entries that every exported model's <c>rnnml.*</c>
/// metadata holds, under a key prefix (so one model can describe a source and a target side).</summary>
internal static class MetadataFields
{
    private const string KeyFormat = "rnnml.format";
    private const string KeyVersion = "rnnml.format_version";

    public static void WriteTokenizer(IDictionary<string, string> map, string prefix, Tokenizer tokenizer)
    {
        map[prefix + "tokenizer"] = tokenizer.Kind.ToString();
        map[prefix + "lower_case"] = tokenizer.LowerCase ? "true" : "false";
        map[prefix + "normalization"] = tokenizer.Normalization.ToString();
        if (tokenizer.Subwords is { } subwords) map[prefix + "subwords"] = subwords.ToJson();
    }

    /// <summary>The tokenizer under <paramref name="prefix"/>; a subword tokenizer's merges are in <c>{prefix}subwords</c>
    /// (models written before subwords existed have no such entry and are word or character models).</summary>
    public static Tokenizer ReadTokenizer(Func<string, string> get, string prefix)
    {
        var kind = Parse<TokenizerKind>(prefix + "tokenizer", get(prefix + "tokenizer"));
        SubwordModel? subwords = null;
        if (kind == TokenizerKind.Subword)
        {
            try { subwords = SubwordModel.FromJson(get(prefix + "subwords")); }
            catch (InvalidDataException e) when (!e.Message.Contains("metadata entry", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"'{prefix}subwords' is not a subword model: {e.Message}", e);
            }
        }
        bool lowerCase = get(prefix + "lower_case") switch
        {
            "true" => true,
            "false" => false,
            var other => throw new InvalidDataException($"'{prefix}lower_case' must be true or false, got '{other}'"),
        };
        return Tokenizer.Create(kind, lowerCase, Parse<TextNormalization>(prefix + "normalization", get(prefix + "normalization")), subwords);
    }

    public static void WriteVocabulary(IDictionary<string, string> map, string key, Vocabulary vocabulary)
    {
        using var stream = new MemoryStream();
        vocabulary.Save(stream);
        map[key] = Encoding.UTF8.GetString(stream.ToArray());
    }

    public static Vocabulary ReadVocabulary(Func<string, string> get, string key)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(get(key)));
        try { return Vocabulary.Load(stream); }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{key}' is not a vocabulary: {e.Message}", e); }
    }

    /// <summary>A whole number of at least <paramref name="minimum"/>, or null when the entry is absent.</summary>
    public static int? ReadInt(IReadOnlyDictionary<string, string> metadata, string key, int minimum)
    {
        if (!metadata.TryGetValue(key, out var text)) return null;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < minimum)
            throw new InvalidDataException($"'{key}' must be a whole number of at least {minimum}, got '{text}'");
        return value;
    }

    public static T Parse<T>(string key, string value) where T : struct, Enum =>
        value.Length > 0 && !char.IsDigit(value[0]) && Enum.TryParse<T>(value, ignoreCase: false, out var v) && Enum.IsDefined(v) ? v
            : throw new InvalidDataException($"'{key}' must be one of {string.Join(", ", Enum.GetNames<T>())}, got '{value}'");

    /// <summary>Checks <c>rnnml.format</c> and <c>rnnml.format_version</c>; returns a getter for the other required entries.</summary>
    public static Func<string, string> CheckFormat(IReadOnlyDictionary<string, string> metadata, string formatName, int formatVersion)
    {
        var get = Required(metadata);
        var format = get(KeyFormat);
        if (format != formatName)
            throw new InvalidDataException($"'{KeyFormat}' must be '{formatName}', got '{format}'");
        var version = get(KeyVersion);
        if (version != formatVersion.ToString(CultureInfo.InvariantCulture))
            throw new InvalidDataException($"'{KeyVersion}' must be {formatVersion} (the version this library reads), got '{version}'");
        return get;
    }

    /// <summary>A new metadata map holding <c>rnnml.format</c> and <c>rnnml.format_version</c>.</summary>
    public static Dictionary<string, string> NewMap(string formatName, int formatVersion) => new(StringComparer.Ordinal)
    {
        [KeyFormat] = formatName,
        [KeyVersion] = formatVersion.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A getter for required entries whose error says the model was not exported with its text settings.</summary>
    public static Func<string, string> Required(IReadOnlyDictionary<string, string> metadata) => key => metadata.TryGetValue(key, out var v) ? v
        : throw new InvalidDataException($"the model has no '{key}' metadata entry: it was not exported with its text settings by RnnMl's OnnxExporter");
}
