using System.Text;

namespace RnnMl.Samples.Translation;

/// <summary>Reads sentence pairs: a tab-separated file (<c>source&lt;TAB&gt;target[&lt;TAB&gt;anything]</c>, as Tatoeba and Anki
/// exports are) or two line-aligned files (one sentence per line, line n of one translating line n of the other).</summary>
public static class ParallelCorpus
{
    /// <summary>Reads a tab-separated file. Blank lines are skipped; a line without a tab is an error naming its line number.</summary>
    /// <param name="path">The file (UTF-8).</param>
    /// <param name="reverse">Swap the columns: the second becomes the source.</param>
    /// <exception cref="ParallelCorpusFormatException">A line has no tab, or the file has no pairs.</exception>
    public static List<(string Source, string Target)> ReadTabSeparated(string path, bool reverse = false)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return ReadTabSeparated(reader, path, reverse);
    }

    /// <inheritdoc cref="ReadTabSeparated(string, bool)"/>
    /// <param name="reader">The text.</param>
    /// <param name="name">The name used in messages.</param>
    /// <param name="reverse">Swap the columns.</param>
    public static List<(string Source, string Target)> ReadTabSeparated(TextReader reader, string name, bool reverse = false)
    {
        var pairs = new List<(string, string)>();
        int number = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = line.Split('\t');
            if (fields.Length < 2)
                throw new ParallelCorpusFormatException($"{name}:{number}: expected source<TAB>target, got a line without a tab: \"{Shorten(line)}\"");
            var (source, target) = (fields[0].Trim(), fields[1].Trim());
            pairs.Add(reverse ? (target, source) : (source, target));
        }
        if (pairs.Count == 0)
            throw new ParallelCorpusFormatException($"{name}: no sentence pairs (expected lines of source<TAB>target)");
        return pairs;
    }

    /// <summary>Reads two line-aligned files; their line counts must match (a final empty line is not counted).</summary>
    /// <param name="sourcePath">Source sentences, one per line (UTF-8).</param>
    /// <param name="targetPath">Target sentences, one per line.</param>
    /// <param name="reverse">Swap the files' roles.</param>
    /// <exception cref="ParallelCorpusFormatException">The line counts differ (the message names the first line without a partner), or there are no pairs.</exception>
    public static List<(string Source, string Target)> ReadAligned(string sourcePath, string targetPath, bool reverse = false)
    {
        using var source = new StreamReader(sourcePath, Encoding.UTF8);
        using var target = new StreamReader(targetPath, Encoding.UTF8);
        return ReadAligned(source, sourcePath, target, targetPath, reverse);
    }

    /// <inheritdoc cref="ReadAligned(string, string, bool)"/>
    /// <param name="source">The source text.</param>
    /// <param name="sourceName">Its name in messages.</param>
    /// <param name="target">The target text.</param>
    /// <param name="targetName">Its name in messages.</param>
    /// <param name="reverse">Swap the roles.</param>
    public static List<(string Source, string Target)> ReadAligned(TextReader source, string sourceName, TextReader target, string targetName, bool reverse = false)
    {
        var s = Lines(source);
        var t = Lines(target);
        if (s.Count != t.Count)
        {
            var (longer, shorter) = s.Count > t.Count ? (sourceName, targetName) : (targetName, sourceName);
            int first = Math.Min(s.Count, t.Count) + 1;
            throw new ParallelCorpusFormatException(
                $"the files are not line-aligned: {sourceName} has {s.Count} lines, {targetName} has {t.Count}; line {first} of {longer} has no partner in {shorter}");
        }
        var pairs = new List<(string, string)>(s.Count);
        for (int i = 0; i < s.Count; i++)
        {
            if (s[i].Length == 0 && t[i].Length == 0) continue;
            pairs.Add(reverse ? (t[i], s[i]) : (s[i], t[i]));
        }
        if (pairs.Count == 0)
            throw new ParallelCorpusFormatException($"{sourceName} and {targetName}: no sentence pairs");
        return pairs;
    }

    private static List<string> Lines(TextReader reader)
    {
        var lines = new List<string>();
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine()) lines.Add(line.Trim());
        return lines;
    }

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..57] + "...";
}
