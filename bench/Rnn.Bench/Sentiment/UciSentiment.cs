namespace RnnMl.Bench.Sentiment;

/// <summary>
/// Reads the UCI Sentiment Labelled Sentences (Kotzias et al., KDD 2015): <c>sentence&lt;TAB&gt;label</c>, no header, no
/// quoting; and makes the cross-domain splits (train on two of amazon/imdb/yelp, test on the third).
/// </summary>
internal static class UciSentiment
{
    public static readonly string[] Domains = ["amazon", "imdb", "yelp"];

    public static string FileOf(string domain) => domain switch
    {
        "amazon" => "amazon_cells_labelled.txt",
        "imdb" => "imdb_labelled.txt",
        _ => "yelp_labelled.txt",
    };

    public static List<Sst2.Row> Read(string path)
    {
        var rows = new List<Sst2.Row>();
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r', ' ');
            if (line.Length == 0) continue;
            int tab = line.LastIndexOf('\t');
            string label = tab < 0 ? "" : line[(tab + 1)..].Trim();
            if (label != "0" && label != "1")
                throw new FormatException($"{path}, line {lineNumber}: expected 'sentence<TAB>0|1', got '{(line.Length > 60 ? line[..60] + "…" : line)}'");
            rows.Add(new Sst2.Row { Text = line[..tab], Label = label == "1" });
        }
        return rows;
    }

    /// <summary>The three cross-domain splits (test domain, train rows, test rows); training rows shuffled with <paramref name="seed"/>.</summary>
    public static List<(string TestDomain, List<Sst2.Row> Train, List<Sst2.Row> Test)> Splits(string folder, int seed)
    {
        var data = Domains.ToDictionary(d => d, d => Read(Path.Combine(folder, FileOf(d))));
        var splits = new List<(string, List<Sst2.Row>, List<Sst2.Row>)>();
        foreach (var test in Domains)
        {
            var train = Domains.Where(d => d != test).SelectMany(d => data[d]).ToList();
            new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(train));
            splits.Add((test, train, data[test]));
        }
        return splits;
    }
}
