using System.Globalization;
using System.Text.Json;
using RnnMl.Text.Decoding;

namespace RnnMl.Text.Export;

/// <summary>
/// What an exported translator needs besides its two graphs to translate raw text: source and target tokenizer
/// settings and vocabularies, the longest source it reads, the begin and end ids, and the decoding defaults. Stored as
/// ONNX <c>metadata_props</c> (keys <c>rnnml.*</c>, <c>rnnml.source.*</c>, <c>rnnml.target.*</c>) in the encoder graph.
/// </summary>
public sealed class TranslationModelInfo
{
    /// <summary>The value of <c>rnnml.format</c>.</summary>
    public const string FormatName = "RnnMl translator";

    /// <summary>The value of <c>rnnml.format_version</c> written by this version.</summary>
    public const int FormatVersion = 1;

    private const string SourcePrefix = "rnnml.source.";
    private const string TargetPrefix = "rnnml.target.";
    private const string KeyMaxSource = "rnnml.source.max_sequence_length";
    private const string KeyBegin = "rnnml.begin_id";
    private const string KeyEnd = "rnnml.end_id";
    private const string KeyDecoding = "rnnml.decoding";

    /// <summary>Creates the description.</summary>
    /// <param name="sourceTokenizer">The source tokenizer used in training.</param>
    /// <param name="sourceVocabulary">The source vocabulary.</param>
    /// <param name="targetTokenizer">The target tokenizer (it also joins output tokens back into text).</param>
    /// <param name="targetVocabulary">The target vocabulary, holding the begin and end tokens.</param>
    /// <param name="beginId">The begin-of-sentence id the decoder starts from.</param>
    /// <param name="endId">The end-of-sentence id that stops decoding.</param>
    /// <param name="decoding">Decoding defaults; default <c>new DecodingOptions()</c>.</param>
    /// <param name="maxSourceLength">Longer sources are cut to their first tokens; null for no limit.</param>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the target vocabulary or names padding or unknown, the ids are
    /// equal, <paramref name="maxSourceLength"/> is below 1, or a decoding setting is out of range.</exception>
    public TranslationModelInfo(Tokenizer sourceTokenizer, Vocabulary sourceVocabulary, Tokenizer targetTokenizer, Vocabulary targetVocabulary,
        int beginId = 2, int endId = 3, DecodingOptions? decoding = null, int? maxSourceLength = null)
    {
        ArgumentNullException.ThrowIfNull(sourceTokenizer);
        ArgumentNullException.ThrowIfNull(sourceVocabulary);
        ArgumentNullException.ThrowIfNull(targetTokenizer);
        ArgumentNullException.ThrowIfNull(targetVocabulary);
        if (beginId < 2 || beginId >= targetVocabulary.Count)
            throw new ArgumentOutOfRangeException(nameof(beginId), beginId, $"begin id must be between 2 and {targetVocabulary.Count - 1}, got {beginId}");
        if (endId < 2 || endId >= targetVocabulary.Count || endId == beginId)
            throw new ArgumentOutOfRangeException(nameof(endId), endId, $"end id must be between 2 and {targetVocabulary.Count - 1} and differ from the begin id {beginId}, got {endId}");
        if (maxSourceLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(maxSourceLength), maxSourceLength, $"maximum source length must be at least 1, got {maxSourceLength}");
        SourceEncoder = new TextEncoder(sourceTokenizer, sourceVocabulary, maxSourceLength);
        TargetEncoder = new TextEncoder(targetTokenizer, targetVocabulary);
        BeginId = beginId;
        EndId = endId;
        Decoding = (decoding ?? new DecodingOptions()).Validate();
    }

    /// <summary>Source text to ids as in training (tokenizer, vocabulary, <see cref="MaxSourceLength"/>).</summary>
    public TextEncoder SourceEncoder { get; }

    /// <summary>Target ids back to text (and target text to ids), without a length limit.</summary>
    public TextEncoder TargetEncoder { get; }

    /// <summary>The source tokenizer.</summary>
    public Tokenizer SourceTokenizer => SourceEncoder.Tokenizer;

    /// <summary>The source vocabulary; its count is the number of source ids the encoder takes.</summary>
    public Vocabulary SourceVocabulary => SourceEncoder.Vocabulary;

    /// <summary>The target tokenizer.</summary>
    public Tokenizer TargetTokenizer => TargetEncoder.Tokenizer;

    /// <summary>The target vocabulary; its count is V.</summary>
    public Vocabulary TargetVocabulary => TargetEncoder.Vocabulary;

    /// <summary>The begin-of-sentence id.</summary>
    public int BeginId { get; }

    /// <summary>The end-of-sentence id.</summary>
    public int EndId { get; }

    /// <summary>The decoding defaults (those of the exported ML.NET translator, or <c>new DecodingOptions()</c>).</summary>
    public DecodingOptions Decoding { get; }

    /// <summary>Sources are cut to this many tokens; null for no limit.</summary>
    public int? MaxSourceLength => SourceEncoder.MaxLength;

    /// <summary>Tokenizes and encodes a source sentence as in training (cut to <see cref="MaxSourceLength"/>).</summary>
    /// <param name="text">Raw text; null or empty gives no ids.</param>
    public long[] EncodeSource(string? text) => SourceEncoder.Encode(text);

    /// <summary>Target ids joined into text with the target tokenizer's <see cref="Tokenizer.Detokenize"/>.</summary>
    /// <param name="ids">Target ids without begin and end.</param>
    public string DecodeTarget(IEnumerable<long> ids) => TargetEncoder.Decode(ids);

    /// <summary>The <c>rnnml.*</c> metadata entries that describe this.</summary>
    public IReadOnlyDictionary<string, string> ToMetadata()
    {
        var map = MetadataFields.NewMap(FormatName, FormatVersion);
        foreach (var (key, value) in new Dictionary<string, string>
        {
            [KeyBegin] = BeginId.ToString(CultureInfo.InvariantCulture),
            [KeyEnd] = EndId.ToString(CultureInfo.InvariantCulture),
            [KeyDecoding] = JsonSerializer.Serialize(Decoding),
        })
            map[key] = value;
        MetadataFields.WriteTokenizer(map, SourcePrefix, SourceTokenizer);
        MetadataFields.WriteVocabulary(map, SourcePrefix + "vocabulary", SourceVocabulary);
        MetadataFields.WriteTokenizer(map, TargetPrefix, TargetTokenizer);
        MetadataFields.WriteVocabulary(map, TargetPrefix + "vocabulary", TargetVocabulary);
        if (MaxSourceLength is int max) map[KeyMaxSource] = max.ToString(CultureInfo.InvariantCulture);
        return map;
    }

    /// <summary>Reads what <see cref="ToMetadata"/> wrote.</summary>
    /// <param name="metadata">A model's metadata entries (other keys are ignored).</param>
    /// <exception cref="InvalidDataException">An entry is missing or not valid; the message names it.</exception>
    public static TranslationModelInfo FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var get = MetadataFields.CheckFormat(metadata, FormatName, FormatVersion);
        int RequiredInt(string key) => MetadataFields.ReadInt(metadata, key, 0) ?? int.Parse(get(key), CultureInfo.InvariantCulture);
        DecodingOptions decoding;
        try { decoding = JsonSerializer.Deserialize<DecodingOptions>(get(KeyDecoding)) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new InvalidDataException($"'{KeyDecoding}' is not a JSON object of decoding settings: {e.Message}", e); }
        try
        {
            return new TranslationModelInfo(
                MetadataFields.ReadTokenizer(get, SourcePrefix), MetadataFields.ReadVocabulary(get, SourcePrefix + "vocabulary"),
                MetadataFields.ReadTokenizer(get, TargetPrefix), MetadataFields.ReadVocabulary(get, TargetPrefix + "vocabulary"),
                RequiredInt(KeyBegin), RequiredInt(KeyEnd),
                decoding, MetadataFields.ReadInt(metadata, KeyMaxSource, 1));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"the translator's metadata is inconsistent: {e.Message}", e);
        }
    }
}
