using System.Globalization;
using System.Text.Json;

namespace RnnMl.Text.Export;

/// <summary>
/// What an exported model needs besides its graph to score raw text: the tokenizer's settings, the vocabulary, the
/// longest sequence the model was trained to read, and the class names. Stored as ONNX <c>metadata_props</c> under the
/// keys <c>rnnml.*</c>, so the model is one self-contained file.
/// </summary>
public sealed class TextModelInfo
{
    /// <summary>The value of <c>rnnml.format</c>.</summary>
    public const string FormatName = "RnnMl text classifier";

    /// <summary>The value of <c>rnnml.format_version</c> written by this version.</summary>
    public const int FormatVersion = 1;

    private const string KeyMaxLength = "rnnml.max_sequence_length";
    private const string KeyVocabulary = "rnnml.vocabulary";
    private const string KeyClassNames = "rnnml.class_names";

    /// <summary>Creates the description.</summary>
    /// <param name="tokenizer">The tokenizer used in training.</param>
    /// <param name="vocabulary">The vocabulary used in training.</param>
    /// <param name="classNames">One name per class in class order; null for none (classes are then called "0", "1", …).</param>
    /// <param name="maxSequenceLength">Longer token sequences are cut to their first tokens; null for no limit.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSequenceLength"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="classNames"/> has fewer than 2 names.</exception>
    public TextModelInfo(Tokenizer tokenizer, Vocabulary vocabulary, IReadOnlyList<string>? classNames = null, int? maxSequenceLength = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (maxSequenceLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(maxSequenceLength), maxSequenceLength, $"maximum sequence length must be at least 1, got {maxSequenceLength}");
        if (classNames is not null && classNames.Count < 2)
            throw new ArgumentException($"class names must name at least 2 classes, got {classNames.Count}", nameof(classNames));
        Encoder = new TextEncoder(tokenizer, vocabulary, maxSequenceLength);
        ClassNames = classNames?.ToArray();
    }

    /// <summary>Text to ids as in training: the tokenizer, the vocabulary and the length limit.</summary>
    public TextEncoder Encoder { get; }

    /// <summary>The tokenizer used in training.</summary>
    public Tokenizer Tokenizer => Encoder.Tokenizer;

    /// <summary>The vocabulary; its <see cref="Vocabulary.Count"/> is the number of token ids the model takes.</summary>
    public Vocabulary Vocabulary => Encoder.Vocabulary;

    /// <summary>Class names in class order, or null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Token sequences are cut to this many tokens; null for no limit.</summary>
    public int? MaxSequenceLength => Encoder.MaxLength;

    /// <summary>Tokenizes and encodes <paramref name="text"/> as in training (cut to <see cref="MaxSequenceLength"/>);
    /// empty or null text gives no ids (pad it to one <see cref="Vocabulary.PaddingId"/> step before scoring).</summary>
    /// <param name="text">Raw text.</param>
    public long[] Encode(string? text) => Encoder.Encode(text);

    /// <summary>The name of class <paramref name="index"/>: its entry in <see cref="ClassNames"/>, or the index as text.</summary>
    /// <param name="index">A class index.</param>
    public string ClassName(int index) =>
        ClassNames is { } names && index >= 0 && index < names.Count ? names[index] : index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The <c>rnnml.*</c> metadata entries that describe this.</summary>
    public IReadOnlyDictionary<string, string> ToMetadata()
    {
        var map = MetadataFields.NewMap(FormatName, FormatVersion);
        MetadataFields.WriteTokenizer(map, "rnnml.", Tokenizer);
        MetadataFields.WriteVocabulary(map, KeyVocabulary, Vocabulary);
        if (MaxSequenceLength is int max) map[KeyMaxLength] = max.ToString(CultureInfo.InvariantCulture);
        if (ClassNames is not null) map[KeyClassNames] = JsonSerializer.Serialize(ClassNames);
        return map;
    }

    /// <summary>Reads what <see cref="ToMetadata"/> wrote.</summary>
    /// <param name="metadata">A model's metadata entries (other keys are ignored).</param>
    /// <exception cref="InvalidDataException">An entry is missing or not valid; the message names it.</exception>
    public static TextModelInfo FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var get = MetadataFields.CheckFormat(metadata, FormatName, FormatVersion);
        var tokenizer = MetadataFields.ReadTokenizer(get, "rnnml.");
        var vocabulary = MetadataFields.ReadVocabulary(get, KeyVocabulary);
        int? max = MetadataFields.ReadInt(metadata, KeyMaxLength, 1);
        string[]? names = null;
        if (metadata.TryGetValue(KeyClassNames, out var namesText))
        {
            try { names = JsonSerializer.Deserialize<string[]>(namesText); }
            catch (JsonException e) { throw new InvalidDataException($"'{KeyClassNames}' is not a JSON array of strings: {e.Message}", e); }
            if (names is null || names.Length < 2)
                throw new InvalidDataException($"'{KeyClassNames}' must name at least 2 classes, got {names?.Length ?? 0}");
        }
        return new TextModelInfo(tokenizer, vocabulary, names, max);
    }
}
