namespace RnnMl.MLNet.Tests;

/// <summary>Small labelled texts whose label depends on word order, for fast training in tests.</summary>
internal static class ToyData
{
    public sealed class BinaryRow
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    public sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    public sealed class MulticlassRow
    {
        public string Text { get; set; } = "";
        public string Topic { get; set; } = "";
    }

    private static readonly string[] Positive = { "good", "great", "fine", "nice" };
    private static readonly string[] Negative = { "bad", "poor", "awful", "dull" };
    private static readonly string[] Nouns = { "film", "plot", "cast", "music" };

    /// <summary>Which sentences <see cref="Binary"/> draws: all 64, or a training/test split with no sentence in both.</summary>
    public enum Split { All, Train, Test }

    /// <summary>"the plot was good" / "the plot was not good": the negation flips the label. There are only 64 distinct
    /// sentences, so a test of generalisation draws its training rows from <see cref="Split.Train"/> and its test rows from
    /// <see cref="Split.Test"/>: the test sentences pair each noun with adjectives it never meets in training (every word
    /// is still seen in training).</summary>
    public static List<BinaryRow> Binary(int count, int seed, Split split = Split.All)
    {
        var r = new Random(seed);
        var rows = new List<BinaryRow>();
        while (rows.Count < count)
        {
            bool positiveWord = r.Next(2) == 0, negate = r.Next(2) == 0;
            int a = r.Next(4), n = r.Next(4);
            bool test = (a + n) % 4 == 0;
            if ((split == Split.Train && test) || (split == Split.Test && !test)) continue;
            var adjective = positiveWord ? Positive[a] : Negative[a];
            rows.Add(new BinaryRow
            {
                Text = $"the {Nouns[n]} was {(negate ? "not " : "")}{adjective}",
                Label = positiveWord != negate,
            });
        }
        return rows;
    }

    /// <summary>Three topics named by the word in first position; the other words are shared noise.</summary>
    public static List<MulticlassRow> Multiclass(int count, int seed)
    {
        var topics = new[] { "sport", "music", "food" };
        var r = new Random(seed);
        var rows = new List<MulticlassRow>();
        for (int i = 0; i < count; i++)
        {
            int t = r.Next(3);
            var noise = string.Join(" ", Enumerable.Range(0, 3).Select(_ => topics[r.Next(3)] + "s"));
            rows.Add(new MulticlassRow { Text = $"{topics[t]} {noise}", Topic = topics[t] });
        }
        return rows;
    }
}
