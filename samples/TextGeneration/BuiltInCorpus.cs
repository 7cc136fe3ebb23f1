namespace RnnMl.Samples.TextGeneration;

/// <summary>
/// The sample's own corpus: short sentences about animals, made from a small grammar with a fixed seed, so that a
/// character model learns spelling, agreement ("a cat sits", "two cats sit") and punctuation in about a minute.
/// </summary>
internal static class BuiltInCorpus
{
    private static readonly (string One, string Many)[] Animals =
    {
        ("cat", "cats"), ("dog", "dogs"), ("fox", "foxes"), ("bird", "birds"), ("horse", "horses"), ("mouse", "mice"), ("rabbit", "rabbits"),
    };

    private static readonly string[] Adjectives = { "little", "old", "brown", "happy", "sleepy", "clever", "lazy", "young" };
    private static readonly (string One, string Many)[] Verbs = { ("runs", "run"), ("sleeps", "sleep"), ("sits", "sit"), ("plays", "play"), ("waits", "wait"), ("sings", "sing") };
    private static readonly string[] Places = { "in the garden", "under the tree", "by the river", "on the hill", "near the house", "in the snow", "at the farm" };
    private static readonly string[] Times = { "every morning", "at night", "in the summer", "after dinner", "all day" };
    private static readonly string[] Numbers = { "two", "three", "four", "many", "some" };

    /// <summary>The corpus, one sentence a line.</summary>
    /// <param name="count">Lines.</param>
    /// <param name="seed">The grammar's random choices.</param>
    public static List<string> Lines(int count, int seed)
    {
        var random = new Random(seed);
        T Pick<T>(T[] items) => items[random.Next(items.Length)];
        var lines = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            var (one, many) = Pick(Animals);
            var (verbOne, verbMany) = Pick(Verbs);
            string sentence = random.Next(3) switch
            {
                0 => $"The {Pick(Adjectives)} {one} {verbOne} {Pick(Places)}.",
                1 => $"{Capital(Pick(Numbers))} {many} {verbMany} {Pick(Places)} {Pick(Times)}.",
                _ => $"A {one} and a {Pick(Animals).One} {verbMany} together {Pick(Times)}.",
            };
            lines.Add(sentence);
        }
        return lines;
    }

    private static string Capital(string word) => char.ToUpperInvariant(word[0]) + word[1..];
}
