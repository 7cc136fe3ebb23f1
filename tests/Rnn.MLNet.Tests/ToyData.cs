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

    /// <summary>"the plot was good" / "the plot was not good": the negation flips the label.</summary>
    public static List<BinaryRow> Binary(int count, int seed)
    {
        var r = new Random(seed);
        var rows = new List<BinaryRow>();
        for (int i = 0; i < count; i++)
        {
            bool positiveWord = r.Next(2) == 0, negate = r.Next(2) == 0;
            var adjective = positiveWord ? Positive[r.Next(4)] : Negative[r.Next(4)];
            rows.Add(new BinaryRow
            {
                Text = $"the {Nouns[r.Next(4)]} was {(negate ? "not " : "")}{adjective}",
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
