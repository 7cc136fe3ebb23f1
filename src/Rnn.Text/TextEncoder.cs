namespace RnnMl.Text;

/// <summary>
/// Text to token ids and back, exactly as in training: a tokenizer, a vocabulary and an optional length limit. The one
/// encoder behind the ML.NET transformers, the exported models' metadata (<see cref="Export.TextModelInfo"/>,
/// <see cref="Export.TranslationModelInfo"/>) and the ONNX runtime classes.
/// </summary>
/// <remarks>Ids: <see cref="Vocabulary.PaddingId"/> 0, <see cref="Vocabulary.UnknownId"/> 1 for tokens outside the vocabulary.</remarks>
/// <example>
/// <code>
/// var tokenizer = Tokenizer.Create(TokenizerKind.Word);
/// var vocabulary = Vocabulary.Build(corpus.Select(tokenizer.Tokenize));
/// var encoder = new TextEncoder(tokenizer, vocabulary, maxLength: 200);
/// long[] ids = encoder.Encode("It is good.");    // tokenized, mapped, cut to 200 ids
/// string text = encoder.Decode(ids);              // "it is good."
/// </code>
/// </example>
public sealed class TextEncoder
{
    /// <summary>Creates the encoder.</summary>
    /// <param name="tokenizer">The tokenizer used in training.</param>
    /// <param name="vocabulary">The vocabulary used in training.</param>
    /// <param name="maxLength">Longer id sequences are cut to their first <paramref name="maxLength"/> ids; null for no limit.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below 1.</exception>
    public TextEncoder(Tokenizer tokenizer, Vocabulary vocabulary, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (maxLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"maximum length must be at least 1, got {maxLength}");
        Tokenizer = tokenizer;
        Vocabulary = vocabulary;
        MaxLength = maxLength;
    }

    /// <summary>The tokenizer.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The vocabulary; its <see cref="Vocabulary.Count"/> is the number of ids.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Id sequences are cut to this many ids; null for no limit.</summary>
    public int? MaxLength { get; }

    /// <summary>Tokenizes <paramref name="text"/> and maps the tokens to ids, cut to <see cref="MaxLength"/>; null or empty
    /// text gives no ids.</summary>
    /// <param name="text">Raw text.</param>
    public long[] Encode(string? text) => Truncate(Vocabulary.Encode(Tokenizer.Tokenize(text)));

    /// <summary>Maps tokens that are already split to ids: each is normalised as the tokenizer would (case, Unicode form),
    /// tokens that normalise to nothing are dropped, a subword tokenizer cuts each into pieces
    /// (<see cref="Tokenizer.SplitToken"/>), and the result is cut to <see cref="MaxLength"/>.</summary>
    /// <param name="tokens">Tokens.</param>
    public long[] EncodeTokens(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return Truncate(Vocabulary.Encode(tokens.SelectMany(Tokenizer.SplitToken)));
    }

    /// <summary><paramref name="ids"/> cut to their first <see cref="MaxLength"/> ids (the same array when short enough).</summary>
    /// <param name="ids">Ids from any source (text, tokens or keys).</param>
    public long[] Truncate(long[] ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return MaxLength is int max && ids.Length > max ? ids[..max] : ids;
    }

    /// <summary>Ids back to text: their tokens joined by the tokenizer's <see cref="Tokenizer.Detokenize"/>.</summary>
    /// <param name="ids">Ids in [0, <see cref="Vocabulary.Count"/>), without begin and end markers.</param>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary.</exception>
    public string Decode(IEnumerable<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return Tokenizer.Detokenize(ids.Select(i => Vocabulary.TokenOf(checked((int)i))));
    }
}
