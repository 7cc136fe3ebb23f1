using System.Text.Json;

namespace RnnMl.Text;

/// <summary>Maps tokens to ids and back: id 0 is padding, id 1 the unknown token, then any special tokens, then the corpus tokens by falling count.</summary>
public sealed class Vocabulary
{
    /// <summary>The padding token, id 0.</summary>
    public const string PaddingToken = "<pad>";

    /// <summary>The unknown token, id 1: every token not in the vocabulary maps to it.</summary>
    public const string UnknownToken = "<unk>";

    /// <summary>Id of <see cref="PaddingToken"/>.</summary>
    public const int PaddingId = 0;

    /// <summary>Id of <see cref="UnknownToken"/>.</summary>
    public const int UnknownId = 1;

    private readonly List<string> tokens;
    private readonly Dictionary<string, int> ids;

    private Vocabulary(List<string> tokens)
    {
        this.tokens = tokens;
        ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
        {
            if (!ids.TryAdd(tokens[i], i))
                throw new ArgumentException($"token '{tokens[i]}' appears twice in the vocabulary (ids {ids[tokens[i]]} and {i})", nameof(tokens));
        }
    }

    /// <summary>Builds a vocabulary from tokenised text.</summary>
    /// <param name="corpus">Token sequences, e.g. from <see cref="Tokenizer.Tokenize"/>.</param>
    /// <param name="minCount">Tokens seen fewer times map to unknown; at least 1. Default 1.</param>
    /// <param name="maxSize">Largest size including the padding, unknown and special tokens; null for no limit. Default null.</param>
    /// <param name="specialTokens">Extra reserved tokens (e.g. "&lt;s&gt;", "&lt;/s&gt;") placed after padding and unknown.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minCount"/> is below 1, or <paramref name="maxSize"/> cannot hold the reserved tokens.</exception>
    public static Vocabulary Build(IEnumerable<IEnumerable<string>> corpus, int minCount = 1, int? maxSize = null, IReadOnlyList<string>? specialTokens = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        if (minCount < 1)
            throw new ArgumentOutOfRangeException(nameof(minCount), minCount, $"minimum count must be at least 1, got {minCount}");
        var reserved = new List<string> { PaddingToken, UnknownToken };
        reserved.AddRange(specialTokens ?? Array.Empty<string>());
        if (maxSize is not null && maxSize < reserved.Count)
            throw new ArgumentOutOfRangeException(nameof(maxSize), maxSize, $"maximum size must be at least {reserved.Count} (the reserved tokens), got {maxSize}");

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var sequence in corpus)
            foreach (var token in sequence)
                counts[token] = counts.GetValueOrDefault(token) + 1;
        var reservedSet = new HashSet<string>(reserved, StringComparer.Ordinal);
        // Ties broken by ordinal order so that the same corpus always gives the same ids.
        var kept = counts.Where(kv => kv.Value >= minCount && !reservedSet.Contains(kv.Key))
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key);
        if (maxSize is not null) kept = kept.Take(maxSize.Value - reserved.Count);
        reserved.AddRange(kept);
        return new Vocabulary(reserved);
    }

    /// <summary>Creates a vocabulary from an explicit token list (index = id); the first two must be the padding and unknown tokens.</summary>
    /// <param name="tokens">All tokens in id order.</param>
    /// <exception cref="ArgumentException">The list does not start with the padding and unknown tokens, or has duplicates.</exception>
    public static Vocabulary FromTokens(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count < 2 || tokens[0] != PaddingToken || tokens[1] != UnknownToken)
            throw new ArgumentException($"a vocabulary must start with '{PaddingToken}' and '{UnknownToken}', got '{(tokens.Count > 0 ? tokens[0] : "")}', '{(tokens.Count > 1 ? tokens[1] : "")}'", nameof(tokens));
        return new Vocabulary(tokens.ToList());
    }

    /// <summary>The number of ids, including the reserved tokens.</summary>
    public int Count => tokens.Count;

    /// <summary>All tokens in id order.</summary>
    public IReadOnlyList<string> Tokens => tokens;

    /// <summary>The id of <paramref name="token"/>, or <see cref="UnknownId"/>.</summary>
    /// <param name="token">A token.</param>
    public int IdOf(string token) => ids.TryGetValue(token, out var id) ? id : UnknownId;

    /// <summary>Whether <paramref name="token"/> has an id of its own.</summary>
    /// <param name="token">A token.</param>
    public bool Contains(string token) => ids.ContainsKey(token);

    /// <summary>The token with id <paramref name="id"/>.</summary>
    /// <param name="id">In [0, <see cref="Count"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The id is outside the vocabulary.</exception>
    public string TokenOf(int id)
    {
        if (id < 0 || id >= tokens.Count)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"id must be between 0 and {tokens.Count - 1}, got {id}");
        return tokens[id];
    }

    /// <summary>Maps tokens to ids (unknown tokens to <see cref="UnknownId"/>).</summary>
    /// <param name="sequence">Tokens.</param>
    public long[] Encode(IEnumerable<string> sequence) => sequence.Select(t => (long)IdOf(t)).ToArray();

    /// <summary>Writes the tokens as a JSON array of strings.</summary>
    /// <param name="stream">Destination; left open.</param>
    public void Save(Stream stream)
    {
        using var writer = new Utf8JsonWriter(stream);
        JsonSerializer.Serialize(writer, tokens);
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    /// <param name="stream">Source; left open.</param>
    /// <exception cref="InvalidDataException">The content is not a valid vocabulary.</exception>
    public static Vocabulary Load(Stream stream)
    {
        List<string>? list;
        try { list = JsonSerializer.Deserialize<List<string>>(stream); }
        catch (JsonException e) { throw new InvalidDataException($"the vocabulary is not valid JSON: {e.Message}", e); }
        if (list is null) throw new InvalidDataException("the vocabulary is empty");
        try { return FromTokens(list); }
        catch (ArgumentException e) { throw new InvalidDataException(e.Message, e); }
    }
}
