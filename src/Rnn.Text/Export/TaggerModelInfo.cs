using System.Globalization;
using System.Text.Json;

namespace RnnMl.Text.Export;

/// <summary>
/// What an exported sequence tagger needs besides its graph: the tokenizer (for raw text), the word vocabulary, the
/// character vocabulary (with a character encoder), the tag names and, with a CRF, its start, end and transition scores
/// (constraints already applied, see <see cref="Tagging.TagTransitionConstraints.Apply"/>). Stored as ONNX
/// <c>metadata_props</c> under <c>rnnml.*</c> keys, so the model is one self-contained file.
/// </summary>
public sealed class TaggerModelInfo
{
    /// <summary>The value of <c>rnnml.format</c>.</summary>
    public const string FormatName = "RnnMl sequence tagger";

    /// <summary>The value of <c>rnnml.format_version</c> written by this version.</summary>
    public const int FormatVersion = 1;

    private const string KeyVocabulary = "rnnml.vocabulary";
    private const string KeyCharacters = "rnnml.character_vocabulary";
    private const string KeyTagNames = "rnnml.tag_names";
    private const string KeyLowerCaseWords = "rnnml.lower_case_words";
    private const string KeyStart = "rnnml.crf.start";
    private const string KeyEnd = "rnnml.crf.end";
    private const string KeyTransitions = "rnnml.crf.transitions";
    private const string KeyCasing = "rnnml.casing";

    /// <summary>Creates the description.</summary>
    /// <param name="tokenizer">Splits raw text into tokens (e.g. a word tokenizer); tokens are passed as they are when already split.</param>
    /// <param name="vocabulary">The word vocabulary used in training.</param>
    /// <param name="tagNames">One name per tag, in tag-id order; at least 1.</param>
    /// <param name="characters">The character vocabulary (<see cref="Tagging.TaggerCharacters"/>), with a character encoder; null without.</param>
    /// <param name="crf">With a CRF: start (K), end (K) and row-major transition (K·K) scores; null without. The exporter fills it from the model.</param>
    /// <param name="lowerCaseWords">Whether tokens are lower-cased (invariant culture) before the word vocabulary looks them up; characters keep the case.</param>
    /// <param name="casing">Whether the model reads each token's casing class (<see cref="Tagging.TokenCasing"/>); the exporter sets it from the model.</param>
    /// <exception cref="ArgumentException">No tag names, or CRF scores of the wrong size.</exception>
    public TaggerModelInfo(Tokenizer tokenizer, Vocabulary vocabulary, IReadOnlyList<string> tagNames, Vocabulary? characters = null, TaggerCrfScores? crf = null,
        bool lowerCaseWords = false, bool casing = false)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(tagNames);
        if (tagNames.Count < 1)
            throw new ArgumentException("tag names must name at least 1 tag, got 0", nameof(tagNames));
        if (crf is not null && (crf.Start.Count != tagNames.Count || crf.End.Count != tagNames.Count || crf.Transitions.Count != tagNames.Count * tagNames.Count))
            throw new ArgumentException($"CRF scores must be {tagNames.Count}, {tagNames.Count} and {tagNames.Count * tagNames.Count} values for {tagNames.Count} tags, got {crf.Start.Count}, {crf.End.Count} and {crf.Transitions.Count}", nameof(crf));
        Tokenizer = tokenizer;
        Vocabulary = vocabulary;
        TagNames = tagNames.ToArray();
        Characters = characters;
        Crf = crf;
        LowerCaseWords = lowerCaseWords;
        Casing = casing;
    }

    /// <summary>Whether the model reads each token's casing class (<see cref="Tagging.TokenCasing"/>) besides its word id.</summary>
    public bool Casing { get; }

    /// <summary>The casing ids of a sentence's tokens (<see cref="Tagging.TokenCasing.Encode"/>), or null when the model has no casing feature.</summary>
    /// <param name="tokens">The tokens.</param>
    public long[]? EncodeCasing(IReadOnlyList<string> tokens) => Casing ? Tagging.TokenCasing.Encode(tokens) : null;

    /// <summary>Whether tokens are lower-cased before the word vocabulary looks them up.</summary>
    public bool LowerCaseWords { get; }

    /// <summary>The word ids of a sentence's tokens (lower-cased first if <see cref="LowerCaseWords"/>).</summary>
    /// <param name="tokens">The tokens.</param>
    public long[] EncodeWords(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return Vocabulary.Encode(LowerCaseWords ? tokens.Select(t => t.ToLowerInvariant()) : tokens);
    }

    /// <summary>The character ids of each token (see <see cref="Tagging.TaggerCharacters"/>), or null without a character vocabulary.</summary>
    /// <param name="tokens">The tokens.</param>
    public long[][]? EncodeCharacters(IReadOnlyList<string> tokens)
        => Characters is null ? null : Tagging.TaggerCharacters.Encode(Characters, tokens);

    /// <summary>The tokenizer for raw text.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The word vocabulary.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The character vocabulary, or null without a character encoder.</summary>
    public Vocabulary? Characters { get; }

    /// <summary>Tag names in tag-id order (K).</summary>
    public IReadOnlyList<string> TagNames { get; }

    /// <summary>The CRF's scores, or null when tags are each token's argmax.</summary>
    public TaggerCrfScores? Crf { get; }

    /// <summary>A copy with the given CRF scores.</summary>
    /// <param name="crf">The scores, or null.</param>
    public TaggerModelInfo WithCrf(TaggerCrfScores? crf) => new(Tokenizer, Vocabulary, TagNames, Characters, crf, LowerCaseWords, Casing);

    /// <summary>A copy with the given casing setting.</summary>
    /// <param name="casing">Whether the model reads casing ids.</param>
    public TaggerModelInfo WithCasing(bool casing) => new(Tokenizer, Vocabulary, TagNames, Characters, Crf, LowerCaseWords, casing);

    /// <summary>The <c>rnnml.*</c> metadata entries that describe this.</summary>
    public IReadOnlyDictionary<string, string> ToMetadata()
    {
        var map = MetadataFields.NewMap(FormatName, FormatVersion);
        MetadataFields.WriteTokenizer(map, "rnnml.", Tokenizer);
        MetadataFields.WriteVocabulary(map, KeyVocabulary, Vocabulary);
        if (Characters is not null) MetadataFields.WriteVocabulary(map, KeyCharacters, Characters);
        map[KeyTagNames] = JsonSerializer.Serialize(TagNames);
        map[KeyLowerCaseWords] = LowerCaseWords ? "true" : "false";
        // Written only when on, so files of models without it stay as before.
        if (Casing) map[KeyCasing] = "true";
        if (Crf is not null)
        {
            map[KeyStart] = Doubles(Crf.Start);
            map[KeyEnd] = Doubles(Crf.End);
            map[KeyTransitions] = Doubles(Crf.Transitions);
        }
        return map;
    }

    /// <summary>Reads what <see cref="ToMetadata"/> wrote.</summary>
    /// <param name="metadata">A model's metadata entries (other keys are ignored).</param>
    /// <exception cref="InvalidDataException">An entry is missing or not valid; the message names it.</exception>
    public static TaggerModelInfo FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var get = MetadataFields.CheckFormat(metadata, FormatName, FormatVersion);
        var tokenizer = MetadataFields.ReadTokenizer(get, "rnnml.");
        var vocabulary = MetadataFields.ReadVocabulary(get, KeyVocabulary);
        var characters = metadata.ContainsKey(KeyCharacters) ? MetadataFields.ReadVocabulary(get, KeyCharacters) : null;
        var names = Json<string[]>(KeyTagNames, get(KeyTagNames));
        if (names.Length < 1 || names.Any(n => n is null))
            throw new InvalidDataException($"'{KeyTagNames}' must name at least 1 tag, without nulls, got {names.Length} entries");
        TaggerCrfScores? crf = null;
        if (metadata.ContainsKey(KeyStart) || metadata.ContainsKey(KeyEnd) || metadata.ContainsKey(KeyTransitions))
        {
            int k = names.Length;
            crf = new TaggerCrfScores(Scores(get, KeyStart, k), Scores(get, KeyEnd, k), Scores(get, KeyTransitions, k * k));
        }
        bool lowerCaseWords = get(KeyLowerCaseWords) switch
        {
            "true" => true,
            "false" => false,
            var other => throw new InvalidDataException($"'{KeyLowerCaseWords}' must be true or false, got '{other}'"),
        };
        bool casing = metadata.ContainsKey(KeyCasing) && get(KeyCasing) switch
        {
            "true" => true,
            "false" => false,
            var other => throw new InvalidDataException($"'{KeyCasing}' must be true or false, got '{other}'"),
        };
        return new TaggerModelInfo(tokenizer, vocabulary, names, characters, crf, lowerCaseWords, casing);
    }

    private static string Doubles(IReadOnlyList<double> values)
        => "[" + string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    private static double[] Scores(Func<string, string> get, string key, int count)
    {
        var values = Json<double[]>(key, get(key));
        if (values.Length != count)
            throw new InvalidDataException($"'{key}' must hold {count} scores, got {values.Length}");
        return values;
    }

    private static T Json<T>(string key, string text) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(text) ?? throw new InvalidDataException($"'{key}' is null"); }
        catch (JsonException e) { throw new InvalidDataException($"'{key}' is not a JSON array of the expected kind: {e.Message}", e); }
    }
}
