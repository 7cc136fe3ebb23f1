namespace RnnMl.Samples.TextGeneration;

/// <summary>Reads a plain-text training file: UTF-8, one line or paragraph per line; blank lines are skipped.</summary>
internal static class CorpusFile
{
    /// <summary>The non-blank lines of <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not text (a NUL or other control character, with its line number) or has no text.</exception>
    public static List<string> Read(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new FileNotFoundException($"no data file at '{full}'", full);
        var lines = new List<string>();
        int number = 0;
        foreach (var raw in File.ReadLines(full))
        {
            number++;
            var line = raw.TrimEnd('\r');
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (char.IsControl(c) && c != '\t')
                    throw new InvalidDataException($"{full}, line {number}, column {i + 1}: control character U+{(int)c:X4}; --data must be a plain-text file");
                if (c == '\uFFFD')
                    throw new InvalidDataException($"{full}, line {number}, column {i + 1}: not valid UTF-8; save the file as UTF-8");
            }
            if (line.Trim().Length > 0) lines.Add(line);
        }
        if (lines.Count == 0)
            throw new InvalidDataException($"{full} has no text ({number} line{(number == 1 ? "" : "s")}, all blank)");
        return lines;
    }
}
