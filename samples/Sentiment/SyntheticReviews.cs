namespace RnnMl.Samples.Sentiment;

/// <summary>
/// Generates the sample's built-in data: short film reviews whose label depends on word order, not on which words occur.
/// </summary>
/// <remarks>
/// Every sentence pattern is balanced so that each word is as likely in a positive review as in a negative one:
/// <list type="bullet">
/// <item>negation at a distance: "i did not think that the plot was boring" (positive) — the label is the adjective's
/// polarity flipped by a negation that may stand many words away; "the plot was not very dull" puts an intensifier
/// between "not" and the adjective;</item>
/// <item>contrast: "good acting , but the plot was boring" (negative) — the clause after "but" decides; "although" marks
/// the clause that does not decide, which comes first or second; "the plot was dull despite the good acting" puts the
/// deciding clause first. The deciding clause comes last half the time and first half the time;</item>
/// <item>"not bad at all" and intensifiers ("very", "really") that change nothing;</item>
/// <item>a minority of plain sentences ("the cast was wonderful").</item>
/// </list>
/// A linear model over words sees the same words in both classes. ML.NET's FeaturizeText also counts character
/// n-grams across word boundaries, which read adjacent word pairs: it solves the plain sentences and "not bad at all"
/// ("not" right before the adjective) and partly the "despite the good acting" form, and stays near chance on the rest
/// (about 69% accuracy overall with the sample's seeds). A recurrent model that reads in order learns every pattern.
/// </remarks>
public static class SyntheticReviews
{
    private static readonly string[] Nouns = { "acting", "plot", "story", "film", "movie", "soundtrack", "cast", "dialogue", "ending", "direction", "pacing", "script", "camera work", "lead actor" };
    private static readonly string[] Positive = { "good", "great", "wonderful", "excellent", "brilliant", "enjoyable", "moving", "clever", "fun", "beautiful", "charming", "gripping" };
    private static readonly string[] Negative = { "bad", "boring", "awful", "dull", "terrible", "weak", "predictable", "clumsy", "tedious", "bland", "poor", "messy" };
    private static readonly string[] Intensifiers = { "", "", "very ", "really ", "quite ", "truly " };
    private static readonly string[] StrongIntensifiers = { "very ", "really ", "quite ", "truly " };
    private static readonly string[] Fillers = { "", "", "in the end ", "for most of the running time ", "in the second half ", "as far as i remember ", "to be honest " };
    private static readonly string[] Openers = { "", "", "honestly , ", "well , ", "overall , ", "i must say " };

    /// <summary>Makes <paramref name="count"/> labelled reviews, half positive, from one seed.</summary>
    /// <param name="count">How many reviews; at least 1.</param>
    /// <param name="seed">The same seed gives the same reviews.</param>
    public static IReadOnlyList<(string Text, bool Label)> Generate(int count, int seed)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be at least 1, got {count}");
        var random = new Random(seed);
        var reviews = new List<(string, bool)>(count);
        for (int i = 0; i < count; i++)
        {
            bool label = i % 2 == 0;
            reviews.Add((Make(random, label), label));
        }
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(reviews));
        return reviews;
    }

    private static string Make(Random r, bool label)
    {
        double pattern = r.NextDouble();
        string text = pattern switch
        {
            < 0.15 => Plain(r, label),
            < 0.55 => Negated(r, label),
            < 0.85 => Contrast(r, label),
            _ => NotAtAll(r, label),
        };
        return Pick(r, Openers) + text;
    }

    private static string Adjective(Random r, bool positive) => Pick(r, positive ? Positive : Negative);

    // "the cast was wonderful": the only pattern a bag of words can solve.
    private static string Plain(Random r, bool label) =>
        $"the {Pick(r, Nouns)} {Pick(r, Fillers)}was {Pick(r, Intensifiers)}{Adjective(r, label)}";

    // The negation flips the adjective; half the negated sentences carry a positive word, half a negative one.
    private static string Negated(Random r, bool label)
    {
        bool positiveWord = r.Next(2) == 0;
        bool negate = positiveWord != label;
        string noun = Pick(r, Nouns), filler = Pick(r, Fillers), adjective = Pick(r, Intensifiers) + Adjective(r, positiveWord);
        int form = r.Next(3);
        // In the short form an intensifier always stands between "not" and the adjective (and so in the plain
        // counterpart too): "not" right before an adjective would let word pairs or character n-grams read the label.
        if (form == 2) adjective = Pick(r, StrongIntensifiers) + Adjective(r, positiveWord);
        if (negate)
        {
            return form switch
            {
                0 => $"i did not think that the {noun} {filler}was {adjective}",
                1 => $"nobody could say the {noun} {filler}was {adjective}",
                _ => $"the {noun} {filler}was not {adjective}",
            };
        }
        return form switch
        {
            0 => $"i did think that the {noun} {filler}was {adjective}",
            1 => $"everybody could say the {noun} {filler}was {adjective}",
            _ => $"the {noun} {filler}was {adjective}",
        };
    }

    // One clause of each polarity; the label follows the deciding clause. It comes last ("…, but X", "although …, X") or
    // first ("X, although …", "X despite the ADJ NOUN") equally often, so neither the first nor the last adjective gives
    // the label away: the reader must know which clause "but", "although" and "despite" mark.
    private static string Contrast(Random r, bool label)
    {
        string deciding = Clause(r, label, filler: r.Next(2) == 0);
        string other = Clause(r, !label, filler: r.Next(2) == 0);
        return r.Next(4) switch
        {
            0 => $"{(r.Next(2) == 0 ? other : Short(r, !label))} , but {deciding}",
            1 => $"although {other} , {deciding}",
            2 => $"{deciding} , although {other}",
            _ => $"{deciding} despite the {Short(r, !label)}",
        };
    }

    // "the plot was very dull", optionally with a filler before "was".
    private static string Clause(Random r, bool positive, bool filler) =>
        $"the {Pick(r, Nouns)} {(filler ? Pick(r, Fillers) : "")}was {Pick(r, Intensifiers)}{Adjective(r, positive)}";

    // "good acting", "really dull dialogue".
    private static string Short(Random r, bool positive) => $"{Pick(r, Intensifiers)}{Adjective(r, positive)} {Pick(r, Nouns)}";

    // "not bad at all" is positive and "not good at all" negative: the same words, the polarity read through the negation.
    private static string NotAtAll(Random r, bool label) =>
        $"the {Pick(r, Nouns)} was not {Adjective(r, !label)} at all";

    private static string Pick(Random r, string[] items) => items[r.Next(items.Length)];
}
