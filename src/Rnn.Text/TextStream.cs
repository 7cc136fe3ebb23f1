using System.Text;

namespace RnnMl.Text;

/// <summary>
/// A language model's view of text: lines (or documents) become one stream of token ids, each line preceded by the
/// <see cref="LineBreakToken"/>, and ids become text again. It pairs a <see cref="RnnMl.Text.Tokenizer"/> with a
/// <see cref="RnnMl.Text.Vocabulary"/> whose first special token is the line break.
/// </summary>
/// <remarks>
/// The tokenizer folds white space inside a line into single spaces, so line breaks are kept by the stream itself:
/// the stream of lines a, b is [⏎] a [⏎] b, and a model trained on it learns where lines end and how they begin (a
/// prompt is primed with a leading ⏎ too). Character tokens decode by concatenation, word tokens joined by spaces;
/// the line break decodes to "\n".
/// </remarks>
public sealed class TextStream
{
    /// <summary>The line-break token, id 2 (the first special token after padding and unknown).</summary>
    public const string LineBreakToken = "<eol>";

    /// <summary>The id of <see cref="LineBreakToken"/>.</summary>
    public const int LineBreakId = 2;

    private readonly TextEncoder encoder;

    private TextStream(Tokenizer tokenizer, Vocabulary vocabulary) => encoder = new TextEncoder(tokenizer, vocabulary);

    /// <summary>Builds the vocabulary of <paramref name="lines"/> and the stream codec around it.</summary>
    /// <param name="lines">The training text, one line or document per item; null items count as empty.</param>
    /// <param name="tokenizer">How lines become tokens (e.g. <c>Tokenizer.Create(TokenizerKind.Character, lowerCase: false)</c>).</param>
    /// <param name="minCount">Tokens seen fewer times map to unknown; at least 1. Default 1.</param>
    /// <param name="maxSize">Largest vocabulary including the reserved tokens; null for no limit. Default null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minCount"/> or <paramref name="maxSize"/> is out of range.</exception>
    public static TextStream Build(IEnumerable<string?> lines, Tokenizer tokenizer, int minCount = 1, int? maxSize = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var vocabulary = Vocabulary.Build(lines.Select(tokenizer.Tokenize), minCount, maxSize, new[] { LineBreakToken });
        return new TextStream(tokenizer, vocabulary);
    }

    /// <summary>Wraps an existing vocabulary (e.g. a loaded one); its id 2 must be <see cref="LineBreakToken"/>.</summary>
    /// <param name="tokenizer">The tokenizer the vocabulary was built with.</param>
    /// <param name="vocabulary">The vocabulary.</param>
    /// <exception cref="ArgumentException">The vocabulary has no line-break token at id 2.</exception>
    public static TextStream Create(Tokenizer tokenizer, Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Count <= LineBreakId || vocabulary.TokenOf(LineBreakId) != LineBreakToken)
            throw new ArgumentException($"a text stream's vocabulary must have '{LineBreakToken}' at id {LineBreakId}, got '{(vocabulary.Count > LineBreakId ? vocabulary.TokenOf(LineBreakId) : "(none)")}'", nameof(vocabulary));
        return new TextStream(tokenizer, vocabulary);
    }

    /// <summary>The tokenizer.</summary>
    public Tokenizer Tokenizer => encoder.Tokenizer;

    /// <summary>The vocabulary: padding 0, unknown 1, line break 2, then the corpus tokens.</summary>
    public Vocabulary Vocabulary => encoder.Vocabulary;

    /// <summary>The number of token ids.</summary>
    public int Count => Vocabulary.Count;

    /// <summary>The ids of one line, without a line break.</summary>
    /// <param name="text">A line; null is empty.</param>
    public long[] EncodeLine(string? text) => encoder.Encode(text);

    /// <summary>A prompt as a model is primed with it: the line break, then the prompt's ids.</summary>
    /// <param name="prompt">The start of a line; null or empty primes with the line break alone.</param>
    /// <remarks>A character prompt that ends in white space ("The ") keeps one space token at its end, so that the model continues after the space.</remarks>
    public long[] EncodePrompt(string? prompt)
    {
        var ids = EncodeLine(prompt);
        if (Tokenizer.Kind == TokenizerKind.Character && ids.Length > 0 && char.IsWhiteSpace(prompt![^1]))
            ids = [.. ids, Vocabulary.IdOf(" ")];
        return Prepend(ids);
    }

    /// <summary>The stream of <paramref name="lines"/>: each line's ids after a line break.</summary>
    /// <param name="lines">Lines or documents; null items count as empty lines.</param>
    public long[] EncodeStream(IEnumerable<string?> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var ids = new List<long>();
        foreach (var line in lines)
        {
            ids.Add(LineBreakId);
            ids.AddRange(EncodeLine(line));
        }
        return ids.ToArray();
    }

    /// <summary>The text of one id as generation appends it: a character as it is, a word (or a subword piece, without its
    /// end-of-word marker) after a space unless <paramref name="startsLine"/>, "\n" for the line break, "" for padding.</summary>
    /// <param name="id">A token id in [0, <see cref="Count"/>).</param>
    /// <param name="startsLine">Whether the token follows a line break, the start of the text or a piece inside a word
    /// (word tokens and pieces then get no leading space); see <see cref="SpaceFollows"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The id is outside the vocabulary.</exception>
    public string TextOf(long id, bool startsLine)
    {
        if (id < 0 || id >= Count)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"id must be between 0 and {Count - 1}, got {id}");
        if (id == LineBreakId) return "\n";
        if (id == Vocabulary.PaddingId) return "";
        var token = Vocabulary.TokenOf((int)id);
        if (Tokenizer.Kind == TokenizerKind.Subword && token.EndsWith(SubwordModel.EndOfWordMarker, StringComparison.Ordinal))
            token = token[..^SubwordModel.EndOfWordMarker.Length];
        return Tokenizer.Kind != TokenizerKind.Character && !startsLine ? " " + token : token;
    }

    /// <summary>Whether a word token after <paramref name="id"/> is written after a space: true after a word token or a
    /// subword piece that ends its word (or the unknown token); false after a line break, padding, a character token or a
    /// piece inside a word. The generator passes its negation as the next <see cref="TextOf"/>'s <c>startsLine</c>.</summary>
    /// <param name="id">A token id in [0, <see cref="Count"/>).</param>
    public bool SpaceFollows(long id)
    {
        if (id == LineBreakId || id == Vocabulary.PaddingId || Tokenizer.Kind == TokenizerKind.Character) return false;
        if (Tokenizer.Kind == TokenizerKind.Word || id == Vocabulary.UnknownId) return true;
        return Vocabulary.TokenOf(checked((int)id)).EndsWith(SubwordModel.EndOfWordMarker, StringComparison.Ordinal);
    }

    /// <summary>Turns ids back into text (see <see cref="TextOf"/>).</summary>
    /// <param name="ids">Token ids.</param>
    /// <param name="startsLine">Whether the first id starts a line. Default true.</param>
    public string Decode(IEnumerable<long> ids, bool startsLine = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        foreach (var id in ids)
        {
            text.Append(TextOf(id, startsLine));
            startsLine = !SpaceFollows(id);
        }
        return text.ToString();
    }

    private static long[] Prepend(long[] ids)
    {
        var primed = new long[ids.Length + 1];
        primed[0] = LineBreakId;
        ids.CopyTo(primed, 1);
        return primed;
    }
}
