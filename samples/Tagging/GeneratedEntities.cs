using RnnMl.Text.Data;

namespace RnnMl.Samples.Tagging;

/// <summary>
/// Built-in training data: short news-like sentences with person (PER), location (LOC) and organisation (ORG) names in
/// BIO tags, where some names are both people and places ("Jordan", "Georgia", "Washington"), so the tag depends on the
/// context ("Jordan said …" vs "… flew to Jordan"), not only on the word.
/// </summary>
internal static class GeneratedEntities
{
    private static readonly string[] Ambiguous = { "Jordan", "Georgia", "Washington", "Chelsea", "Florence" };
    private static readonly string[] FirstNames = { "Maria", "John", "Aiko", "Omar", "Lena", "Pedro", "Grace", "Ivan" };
    private static readonly string[] LastNames = { "Lopez", "Smith", "Tanaka", "Haddad", "Berg", "Silva", "Okafor", "Petrov" };
    private static readonly string[][] Places = { new[] { "Paris" }, new[] { "New", "York" }, new[] { "Lagos" }, new[] { "Cape", "Town" }, new[] { "Oslo" }, new[] { "Lima" } };
    private static readonly string[][] Organisations = { new[] { "Acme", "Corp" }, new[] { "the", "United", "Nations" }, new[] { "Globex" }, new[] { "Red", "Cross" } };
    private static readonly string[] Nouns = { "report", "deal", "plan", "team", "market", "storm" };
    private static readonly string[] Adjectives = { "good", "late", "bold", "weak", "new" };

    /// <summary>Generates <paramref name="count"/> sentences, deterministically for a seed.</summary>
    public static List<TaggedSentence> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var sentences = new List<TaggedSentence>(count);
        for (int i = 0; i < count; i++)
        {
            var tokens = new List<string>();
            var tags = new List<string>();
            void Word(string w) { tokens.Add(w); tags.Add("O"); }
            void Name(IReadOnlyList<string> words, string type)
            {
                for (int k = 0; k < words.Count; k++) { tokens.Add(words[k]); tags.Add((k == 0 ? "B-" : "I-") + type); }
            }
            IReadOnlyList<string> Person() => random.Next(4) switch
            {
                0 => new[] { Pick(random, Ambiguous) },
                1 => new[] { Pick(random, FirstNames) },
                _ => new[] { Pick(random, FirstNames), Pick(random, random.Next(3) == 0 ? Ambiguous : LastNames) },
            };
            IReadOnlyList<string> Place() => random.Next(3) == 0 ? new[] { Pick(random, Ambiguous) } : Pick(random, Places);
            switch (random.Next(4))
            {
                case 0:
                    Name(Person(), "PER"); Word("said"); Word("the"); Word(Pick(random, Nouns)); Word("in"); Name(Place(), "LOC");
                    Word("was"); Word(Pick(random, Adjectives));
                    break;
                case 1:
                    Name(Person(), "PER"); Word("flew"); Word("to"); Name(Place(), "LOC"); Word("with"); Name(Person(), "PER");
                    break;
                case 2:
                    Name(Pick(random, Organisations), "ORG"); Word("in"); Name(Place(), "LOC"); Word("hired"); Name(Person(), "PER");
                    break;
                default:
                    Word("a"); Word(Pick(random, Adjectives)); Word(Pick(random, Nouns)); Word("hit"); Name(Place(), "LOC"); Word("and"); Name(Place(), "LOC");
                    break;
            }
            Word(".");
            sentences.Add(new TaggedSentence(tokens, tags, i + 1));
        }
        return sentences;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
