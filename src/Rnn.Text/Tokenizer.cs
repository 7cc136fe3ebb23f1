using System.Globalization;
using System.Text;

namespace RnnMl.Text;

/// <summary>Turns text into tokens: Unicode normalisation, optional lower-casing, then word, character or subword splitting.</summary>
/// <remarks>
/// Word mode keeps runs of letters, digits and marks together (with apostrophes and hyphens inside a word, so
/// "don't" and "well-made" stay one token) and makes every other non-space character a token of its own.
/// Character mode makes every text element (grapheme cluster) a token and collapses white space into one " " token.
/// Subword mode cuts each word of word mode with a learned <see cref="SubwordModel"/>.
/// </remarks>
public sealed class Tokenizer
{
    private Tokenizer(TokenizerKind kind, bool lowerCase, TextNormalization normalization, SubwordModel? subwords)
    {
        Kind = kind;
        Subwords = subwords;
        LowerCase = lowerCase;
        Normalization = normalization;
    }

    /// <summary>Creates a tokenizer.</summary>
    /// <param name="kind">Word (default), character or subword tokens.</param>
    /// <param name="lowerCase">Lower-case with the invariant culture; default true.</param>
    /// <param name="normalization">Unicode normalisation; default NFKC.</param>
    /// <param name="subwords">The learned subwords (<see cref="SubwordModel.Learn"/>, with a word tokenizer of the same case
    /// and normalisation); required for <see cref="TokenizerKind.Subword"/>, null otherwise.</param>
    /// <exception cref="ArgumentOutOfRangeException">An enum value is not defined.</exception>
    /// <exception cref="ArgumentException"><paramref name="subwords"/> is missing for subword tokens, or given for another kind.</exception>
    public static Tokenizer Create(TokenizerKind kind = TokenizerKind.Word, bool lowerCase = true, TextNormalization normalization = TextNormalization.NFKC,
        SubwordModel? subwords = null)
    {
        if (!Enum.IsDefined(kind))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, $"tokenizer kind must be Word, Character or Subword, got {kind}");
        if (!Enum.IsDefined(normalization))
            throw new ArgumentOutOfRangeException(nameof(normalization), normalization, $"normalization must be None, NFC or NFKC, got {normalization}");
        if ((kind == TokenizerKind.Subword) != (subwords is not null))
            throw new ArgumentException(kind == TokenizerKind.Subword
                ? "subword tokens need a learned SubwordModel, got none"
                : $"a subword model is used only with TokenizerKind.Subword, got kind {kind}", nameof(subwords));
        return new Tokenizer(kind, lowerCase, normalization, subwords);
    }

    /// <summary>Word, character or subword tokens.</summary>
    public TokenizerKind Kind { get; }

    /// <summary>The learned subwords of a <see cref="TokenizerKind.Subword"/> tokenizer; null for the other kinds.</summary>
    public SubwordModel? Subwords { get; }

    /// <summary>Whether text is lower-cased.</summary>
    public bool LowerCase { get; }

    /// <summary>The Unicode normalisation applied first.</summary>
    public TextNormalization Normalization { get; }

    /// <summary>Normalises and, if set, lower-cases <paramref name="text"/>; null becomes empty. Never throws on
    /// ill-formed UTF-16: lone surrogates and Unicode non-characters (U+FDD0–U+FDEF and U+xxFFFE/U+xxFFFF in every plane)
    /// become U+FFFD first, whatever the <see cref="Normalization"/>, so one junk row neither fails a job nor differs
    /// between training and prediction.</summary>
    /// <param name="text">Any text.</param>
    public string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text)) return string.Empty;
        text = ReplaceIllFormed(text);
        var s = Normalization switch
        {
            TextNormalization.NFC => text.Normalize(NormalizationForm.FormC),
            TextNormalization.NFKC => text.Normalize(NormalizationForm.FormKC),
            _ => text,
        };
        return LowerCase ? s.ToLowerInvariant() : s;
    }

    /// <summary>Replaces every lone surrogate and every Unicode non-character in <paramref name="text"/> with U+FFFD
    /// (the replacement character); well-formed text is returned as it is (the same instance).</summary>
    /// <param name="text">Any text.</param>
    public static string ReplaceIllFormed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        StringBuilder? fixedText = null;
        int copied = 0;
        for (int i = 0; i < text.Length;)
        {
            int width = 1;
            bool bad;
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                width = 2;
                bad = IsNonCharacter(char.ConvertToUtf32(c, text[i + 1]));
            }
            else bad = char.IsSurrogate(c) || IsNonCharacter(c);
            if (bad)
            {
                fixedText ??= new StringBuilder(text.Length);
                fixedText.Append(text, copied, i - copied).Append('\uFFFD');
                copied = i + width;
            }
            i += width;
        }
        return fixedText is null ? text : fixedText.Append(text, copied, text.Length - copied).ToString();
    }

    private static bool IsNonCharacter(int codePoint) => codePoint is >= 0xFDD0 and <= 0xFDEF || (codePoint & 0xFFFE) == 0xFFFE;

    /// <summary>Cuts <paramref name="text"/> into tokens; empty or null text gives no tokens.</summary>
    /// <param name="text">Any text.</param>
    public List<string> Tokenize(string? text)
    {
        var s = Normalize(text);
        return Kind switch
        {
            TokenizerKind.Word => Words(s),
            TokenizerKind.Character => Characters(s),
            _ => Words(s).SelectMany(Subwords!.Segment).ToList(),
        };
    }

    /// <summary>The tokens of one token that is already split (e.g. an item of a token column): normalised as text is;
    /// none if it normalises to nothing; cut into pieces by a subword tokenizer, one token otherwise.</summary>
    /// <param name="token">A token.</param>
    public IReadOnlyList<string> SplitToken(string? token)
    {
        var s = Normalize(token);
        if (s.Length == 0) return [];
        return Kind == TokenizerKind.Subword ? Subwords!.Segment(s) : [s];
    }

    /// <summary>Joins tokens back into text: character tokens are concatenated (spaces are tokens); word tokens are joined
    /// by spaces, except before closing punctuation and after opening brackets ("it is good ." → "it is good."); subword
    /// pieces are first joined into words (<see cref="SubwordModel.JoinWords"/>), so the text equals that of the word
    /// tokens they came from.</summary>
    /// <param name="tokens">Tokens as this tokenizer made them.</param>
    public string Detokenize(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var list = Kind == TokenizerKind.Subword ? SubwordModel.JoinWords(tokens) : tokens.ToList();
        if (Kind == TokenizerKind.Character) return string.Concat(list);
        var text = new StringBuilder();
        for (int i = 0; i < list.Count; i++)
        {
            bool glue = i == 0 || (list[i].Length == 1 && ".,!?;:%)]}".Contains(list[i][0])) || list[i - 1] is "(" or "[" or "{";
            if (!glue) text.Append(' ');
            text.Append(list[i]);
        }
        return text.ToString();
    }

    private static List<string> Words(string s)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (IsWordChar(s, i))
            {
                int start = i;
                i += char.IsSurrogatePair(s, i) ? 2 : 1;
                while (i < s.Length)
                {
                    if (IsWordChar(s, i)) { i += char.IsSurrogatePair(s, i) ? 2 : 1; continue; }
                    // An apostrophe or hyphen joins two word parts ("don't", "well-made"), not a word and a space.
                    if ((s[i] == '\'' || s[i] == '’' || s[i] == '-') && i + 1 < s.Length && IsWordChar(s, i + 1)) { i++; continue; }
                    break;
                }
                tokens.Add(s.Substring(start, i - start));
            }
            else
            {
                int len = char.IsSurrogatePair(s, i) ? 2 : 1;
                tokens.Add(s.Substring(i, len));
                i += len;
            }
        }
        return tokens;
    }

    private static bool IsWordChar(string s, int i)
    {
        var cat = CharUnicodeInfo.GetUnicodeCategory(s, i);
        return cat is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
            or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber or UnicodeCategory.NonSpacingMark
            or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.ConnectorPunctuation;
    }

    private static List<string> Characters(string s)
    {
        var tokens = new List<string>();
        var e = StringInfo.GetTextElementEnumerator(s);
        bool lastWasSpace = true;
        while (e.MoveNext())
        {
            var element = e.GetTextElement();
            if (element.All(char.IsWhiteSpace))
            {
                if (!lastWasSpace) tokens.Add(" ");
                lastWasSpace = true;
                continue;
            }
            tokens.Add(element);
            lastWasSpace = false;
        }
        if (tokens.Count > 0 && tokens[^1] == " ") tokens.RemoveAt(tokens.Count - 1);
        return tokens;
    }
}
