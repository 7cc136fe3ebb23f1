namespace RnnMl.Bench.Sentiment;

/// <summary>Reads the GLUE SST-2 files: a header line, then <c>label&lt;TAB&gt;text</c> (label 0 negative, 1 positive; CRLF in train).</summary>
internal static class Sst2
{
    public sealed class Row
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    public static List<Row> Read(string path)
    {
        var rows = new List<Row>();
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1) continue;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            int tab = line.IndexOf('\t');
            if (tab < 0 || (line[..tab] != "0" && line[..tab] != "1"))
                throw new FormatException($"{path}, line {lineNumber}: expected '0|1<TAB>text', got '{(line.Length > 60 ? line[..60] + "…" : line)}'");
            rows.Add(new Row { Label = line[0] == '1', Text = line[(tab + 1)..] });
        }
        return rows;
    }
}
