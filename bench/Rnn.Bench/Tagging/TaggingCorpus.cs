using RnnMl.Text;
using RnnMl.Text.Data;
using RnnMl.Text.Tagging;

namespace RnnMl.Bench.Tagging;

/// <summary>A tagged corpus encoded for the tagger: word ids (rare training words become &lt;unk&gt;), character ids and tag ids.</summary>
internal sealed class TaggingCorpus
{
    private TaggingCorpus(Vocabulary words, Vocabulary characters, IReadOnlyList<string> tags, bool lowerCase)
    {
        LowerCase = lowerCase;
        Words = words;
        Characters = characters;
        Tags = tags;
    }

    public Vocabulary Words { get; }
    public Vocabulary Characters { get; }
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Whether word ids are of lower-cased forms (characters always keep the case).</summary>
    public bool LowerCase { get; }

    /// <summary>Builds the vocabularies from the training sentences: words seen at least <paramref name="minCount"/> times, every character, every tag (sorted).</summary>
    public static TaggingCorpus Build(IReadOnlyList<TaggedSentence> train, int minCount, bool lowerCase)
    {
        var words = Vocabulary.Build(train.Select(s => s.Tokens.Select(t => Form(t, lowerCase))), minCount);
        var characters = TaggerCharacters.BuildVocabulary(train.Select(s => s.Tokens));
        var tags = train.SelectMany(s => s.Tags).Distinct().Order(StringComparer.Ordinal).ToArray();
        return new TaggingCorpus(words, characters, tags, lowerCase);
    }

    /// <summary>Encodes sentences; a tag unseen in training is an error naming the sentence's line.</summary>
    public Encoded Encode(IReadOnlyList<TaggedSentence> sentences, string name)
    {
        var tagIds = Tags.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => (long)p.i, StringComparer.Ordinal);
        var tokens = sentences.Select(s => Words.Encode(s.Tokens.Select(t => Form(t, LowerCase)))).ToList();
        var characters = sentences.Select(s => TaggerCharacters.Encode(Characters, s.Tokens)).ToList();
        var casing = sentences.Select(s => TokenCasing.Encode(s.Tokens)).ToList();
        var tags = sentences.Select(s => s.Tags.Select(t => tagIds.TryGetValue(t, out var id) ? id
            : throw new InvalidDataException($"{name}:{s.Line}: tag '{t}' does not occur in the training data")).ToArray()).ToList();
        return new Encoded(tokens, characters, tags, tokens.Sum(t => (long)t.Length), casing);
    }

    private static string Form(string token, bool lowerCase) => lowerCase ? token.ToLowerInvariant() : token;

    /// <summary>The most-frequent-tag baseline: each training word form's most frequent tag (ties: the tag seen first in
    /// the sorted tag list); forms unseen in training get the most frequent tag overall. Returns the token accuracy.</summary>
    public static double MostFrequentTagAccuracy(IReadOnlyList<TaggedSentence> train, IReadOnlyList<TaggedSentence> test)
    {
        var pairs = train.SelectMany(s => s.Tokens.Zip(s.Tags)).ToList();
        string overall = pairs.GroupBy(p => p.Second).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        var best = pairs.GroupBy(p => p.First, StringComparer.Ordinal).ToDictionary(g => g.Key,
            g => g.GroupBy(p => p.Second).OrderByDescending(h => h.Count()).ThenBy(h => h.Key, StringComparer.Ordinal).First().Key, StringComparer.Ordinal);
        long right = 0, total = 0;
        foreach (var s in test)
            for (int i = 0; i < s.Tokens.Count; i++, total++)
                if ((best.TryGetValue(s.Tokens[i], out var t) ? t : overall) == s.Tags[i]) right++;
        return right / (double)total;
    }

    /// <summary>Sentences as ids.</summary>
    public sealed record Encoded(List<long[]> Tokens, List<long[][]> Characters, List<long[]> Tags, long TokenCount, List<long[]> Casing);
}
