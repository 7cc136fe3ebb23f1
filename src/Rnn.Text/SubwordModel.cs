using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RnnMl.Text.Internal;

namespace RnnMl.Text;

/// <summary>
/// Byte-pair-encoding (BPE) subword units learned from training text (Sennrich, Haddow and Birch 2016): an alphabet of
/// characters and an ordered list of merges that cut every word, seen or not, into known pieces. The word's last piece
/// ends in <see cref="EndOfWordMarker"/>, so pieces join back into exactly the words they came from.
/// </summary>
/// <remarks>
/// <para>Words are those of the word <see cref="Tokenizer"/> (same normalisation, case rule and ill-formed-text
/// handling); they are never merged across. A word starts as its text elements (user-perceived characters); the merge
/// of lowest rank present is applied at its leftmost position until none applies, the usual BPE application.</para>
/// <para>The learner is written here because Microsoft.ML.Tokenizers 3.0.0, the maintained .NET tokenizer package,
/// applies a BPE (its <c>BpeTokenizer</c>) but cannot learn one (the <c>BpeTrainer</c> of its previews is gone). Its
/// applier cuts words of known characters exactly as <see cref="Segment"/> does (a test checks it), but is not used:
/// without an unknown token it silently drops characters outside its vocabulary ("lowé" →
/// "low") and with one it replaces them, so pieces of unseen text would not join back into the text; it also re-splits
/// words with its own pre-tokenizer. Here a character outside the alphabet stays a piece of its own (the vocabulary maps
/// it to <see cref="Vocabulary.UnknownToken"/>), so <see cref="Tokenizer.Detokenize"/> of the pieces is exact.</para>
/// </remarks>
public sealed class SubwordModel
{
    /// <summary>Ends the last piece of every word ("lower" → "low", "er&lt;/w&gt;"). No word of the word tokenizer
    /// contains it, since "&lt;" is never part of a word.</summary>
    public const string EndOfWordMarker = "</w>";

    private const int CacheLimit = 200_000;
    private readonly Dictionary<(string, string), int> ranks = new();
    private readonly ConcurrentDictionary<string, string[]> cache = new(StringComparer.Ordinal);
    private readonly List<string> tokens;

    private SubwordModel(IReadOnlyList<string> alphabet, IReadOnlyList<(string Left, string Right)> merges, string? stopReason)
    {
        Alphabet = alphabet.ToArray();
        Merges = merges.ToArray();
        StopReason = stopReason;
        tokens = new List<string>(Alphabet);
        var seen = new HashSet<string>(Alphabet, StringComparer.Ordinal);
        for (int r = 0; r < Merges.Count; r++)
        {
            var (left, right) = Merges[r];
            ranks.TryAdd((left, right), r);
            if (seen.Add(left + right)) tokens.Add(left + right);
        }
    }

    /// <summary>Learns a model from raw texts cut into words by <paramref name="wordTokenizer"/>.</summary>
    /// <param name="texts">Training texts; null items count as empty.</param>
    /// <param name="vocabularySize">The number of subword tokens wanted (alphabet plus merges, without padding and unknown); at least 1.</param>
    /// <param name="wordTokenizer">A <see cref="TokenizerKind.Word"/> tokenizer with the case and normalisation the model is used with; default <c>Tokenizer.Create()</c>.</param>
    /// <param name="minPairCount">Pairs seen fewer times are never merged (learning then stops short of the target, see <see cref="StopReason"/>); at least 1. Default 2.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="wordTokenizer"/> is not a word tokenizer.</exception>
    public static SubwordModel Learn(IEnumerable<string?> texts, int vocabularySize, Tokenizer? wordTokenizer = null, int minPairCount = 2)
    {
        ArgumentNullException.ThrowIfNull(texts);
        wordTokenizer ??= Tokenizer.Create();
        if (wordTokenizer.Kind != TokenizerKind.Word)
            throw new ArgumentException($"subwords are learned over word tokens; the tokenizer must be Word, got {wordTokenizer.Kind}", nameof(wordTokenizer));
        Check(vocabularySize, minPairCount);
        return LearnFromWords(SubwordLearner.CountWords(texts, wordTokenizer), vocabularySize, minPairCount);
    }

    /// <summary>Learns a model from word counts (words as the word tokenizer gives them).</summary>
    /// <param name="wordCounts">Each distinct word and its count; empty words and counts below 1 are ignored.</param>
    /// <param name="vocabularySize">The number of subword tokens wanted; at least 1. When the alphabet alone is larger, its rarest characters (ties in ordinal order) are left out and never merged.</param>
    /// <param name="minPairCount">Pairs seen fewer times are never merged; at least 1. Default 2.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is below 1.</exception>
    public static SubwordModel LearnFromWords(IReadOnlyDictionary<string, long> wordCounts, int vocabularySize, int minPairCount = 2)
    {
        ArgumentNullException.ThrowIfNull(wordCounts);
        Check(vocabularySize, minPairCount);
        var (alphabet, merges, stop) = SubwordLearner.Learn(wordCounts, vocabularySize, minPairCount);
        return new SubwordModel(alphabet, merges, stop);
    }

    /// <summary>The characters (text elements, a word's last one with <see cref="EndOfWordMarker"/>) that pieces start from.</summary>
    public IReadOnlyList<string> Alphabet { get; }

    /// <summary>The merges in the order learned (rank = index).</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    /// <summary>Every subword token: the alphabet, then each merge's result the first time it appears.</summary>
    public IReadOnlyList<string> Tokens => tokens;

    /// <summary>The number of subword tokens; equals the requested size unless <see cref="StopReason"/> says why not.</summary>
    public int VocabularySize => tokens.Count;

    /// <summary>Why learning stopped before the requested size; null when it was reached (and after <see cref="Load"/>).</summary>
    public string? StopReason { get; }

    /// <summary>Cuts one word (already normalised, as the word tokenizer gives it) into pieces.</summary>
    /// <param name="word">A word; empty gives no pieces.</param>
    public IReadOnlyList<string> Segment(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length == 0) return [];
        if (cache.TryGetValue(word, out var hit)) return hit;
        var symbols = InitialSymbols(word).ToList();
        while (symbols.Count > 1)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i + 1 < symbols.Count; i++)
                if (ranks.TryGetValue((symbols[i], symbols[i + 1]), out int r) && r < bestRank) (best, bestRank) = (i, r);
            if (best < 0) break;
            symbols[best] += symbols[best + 1];
            symbols.RemoveAt(best + 1);
        }
        var pieces = symbols.ToArray();
        if (cache.Count < CacheLimit) cache.TryAdd(word, pieces);
        return pieces;
    }

    /// <summary>Joins pieces back into words: a piece ending in <see cref="EndOfWordMarker"/> ends a word; a trailing
    /// unfinished word is kept; <see cref="Vocabulary.UnknownToken"/> and <see cref="Vocabulary.PaddingToken"/> stand as
    /// words of their own.</summary>
    /// <param name="pieces">Pieces as <see cref="Segment"/> made them.</param>
    public static List<string> JoinWords(IEnumerable<string> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var piece in pieces)
        {
            if (piece is Vocabulary.UnknownToken or Vocabulary.PaddingToken)
            {
                Flush();
                words.Add(piece);
            }
            else if (piece.EndsWith(EndOfWordMarker, StringComparison.Ordinal))
            {
                current.Append(piece, 0, piece.Length - EndOfWordMarker.Length);
                Flush();
            }
            else current.Append(piece);
        }
        Flush();
        return words;

        void Flush()
        {
            if (current.Length > 0) words.Add(current.ToString());
            current.Clear();
        }
    }

    /// <summary>A vocabulary of padding, unknown, <paramref name="specialTokens"/>, then every token of <see cref="Tokens"/>
    /// in order, so a model has exactly <see cref="VocabularySize"/> + reserved ids.</summary>
    /// <param name="specialTokens">Reserved tokens after padding and unknown (e.g. begin and end of sentence).</param>
    public Vocabulary ToVocabulary(IReadOnlyList<string>? specialTokens = null)
    {
        var list = new List<string> { Vocabulary.PaddingToken, Vocabulary.UnknownToken };
        list.AddRange(specialTokens ?? []);
        var reserved = new HashSet<string>(list, StringComparer.Ordinal);
        list.AddRange(tokens.Where(t => !reserved.Contains(t)));
        return Vocabulary.FromTokens(list);
    }

    /// <summary>The model as JSON: <c>{"end_of_word":"&lt;/w&gt;","alphabet":[…],"merges":[["l","o"],…]}</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(new Stored(EndOfWordMarker, [.. Alphabet], Merges.Select(m => new[] { m.Left, m.Right }).ToArray()));

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="InvalidDataException">The text is not a valid subword model; the message says what is wrong.</exception>
    public static SubwordModel FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        Stored? s;
        try { s = JsonSerializer.Deserialize<Stored>(json); }
        catch (JsonException e) { throw new InvalidDataException($"the subword model is not valid JSON: {e.Message}", e); }
        if (s?.Alphabet is null || s.Merges is null) throw new InvalidDataException("the subword model has no 'alphabet' or no 'merges'");
        if (s.EndOfWord != EndOfWordMarker)
            throw new InvalidDataException($"the subword model's 'end_of_word' must be '{EndOfWordMarker}', got '{s.EndOfWord}'");
        if (s.Alphabet.Any(string.IsNullOrEmpty) || s.Alphabet.Distinct(StringComparer.Ordinal).Count() != s.Alphabet.Length)
            throw new InvalidDataException("the subword model's 'alphabet' has an empty or repeated symbol");
        for (int i = 0; i < s.Merges.Length; i++)
            if (s.Merges[i] is not [{ Length: > 0 }, { Length: > 0 }])
                throw new InvalidDataException($"the subword model's merge {i.ToString(CultureInfo.InvariantCulture)} must be two non-empty symbols");
        return new SubwordModel(s.Alphabet, s.Merges.Select(m => (m[0], m[1])).ToArray(), null);
    }

    /// <summary>Writes <see cref="ToJson"/> as UTF-8.</summary>
    /// <param name="stream">Destination; left open.</param>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = Encoding.UTF8.GetBytes(ToJson());
        stream.Write(bytes, 0, bytes.Length);
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    /// <param name="stream">Source; read to its end, left open.</param>
    /// <exception cref="InvalidDataException">The content is not a valid subword model.</exception>
    public static SubwordModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        return FromJson(reader.ReadToEnd());
    }

    /// <summary>A word's text elements, the last one carrying <see cref="EndOfWordMarker"/>.</summary>
    internal static IEnumerable<string> InitialSymbols(string word)
    {
        var e = StringInfo.GetTextElementEnumerator(word);
        string? previous = null;
        while (e.MoveNext())
        {
            if (previous is not null) yield return previous;
            previous = e.GetTextElement();
        }
        if (previous is not null) yield return previous + EndOfWordMarker;
    }

    private static void Check(int vocabularySize, int minPairCount)
    {
        if (vocabularySize < 1)
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, $"subword vocabulary size must be at least 1, got {vocabularySize}");
        if (minPairCount < 1)
            throw new ArgumentOutOfRangeException(nameof(minPairCount), minPairCount, $"minimum pair count must be at least 1, got {minPairCount}");
    }

    private sealed record Stored(
        [property: JsonPropertyName("end_of_word")] string EndOfWord,
        [property: JsonPropertyName("alphabet")] string[] Alphabet,
        [property: JsonPropertyName("merges")] string[][] Merges);
}
