namespace RnnMl.Text.Data;

/// <summary>
/// Reads CoNLL column files (CoNLL-2000/2003 style): one token per line, whitespace-separated columns with the token
/// first and tags in later columns, a blank line between sentences, <c>-DOCSTART-</c> lines skipped.
/// </summary>
/// <remarks>
/// Columns are separated by runs of spaces or tabs. Every token line of a file must have the same number of columns
/// (the first token line sets it), and enough for the token and tag columns; otherwise an
/// <see cref="InvalidDataException"/> names the file, the line and both column counts. A <c>-DOCSTART-</c> line also ends
/// the sentence before it. Empty sentences (runs of blank lines) are not returned.
/// </remarks>
public static class ConllColumnReader
{
    /// <summary>The token that marks a document boundary line.</summary>
    public const string DocumentStart = "-DOCSTART-";

    /// <summary>Reads a file.</summary>
    /// <param name="path">The file (UTF-8).</param>
    /// <param name="tagColumn">0-based column of the tag; −1 (default) for the last column.</param>
    /// <param name="tokenColumn">0-based column of the token; default 0.</param>
    /// <exception cref="InvalidDataException">A line is malformed (naming the file and line).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column index is out of range.</exception>
    public static IReadOnlyList<TaggedSentence> ReadFile(string path, int tagColumn = -1, int tokenColumn = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckColumns(tagColumn, tokenColumn);
        using var reader = new StreamReader(path);
        return Read(reader, path, tagColumn, tokenColumn);
    }

    /// <summary>Reads from <paramref name="reader"/>; <paramref name="name"/> names the source in error messages.</summary>
    /// <param name="reader">The text to read.</param>
    /// <param name="name">The source's name (a path) for error messages.</param>
    /// <param name="tagColumn">0-based column of the tag; −1 (default) for the last column.</param>
    /// <param name="tokenColumn">0-based column of the token; default 0.</param>
    /// <exception cref="InvalidDataException">A line is malformed (naming the source and line).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column index is out of range.</exception>
    public static IReadOnlyList<TaggedSentence> Read(TextReader reader, string name, int tagColumn = -1, int tokenColumn = 0)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(name);
        CheckColumns(tagColumn, tokenColumn);
        var sentences = new TaggedSentenceAccumulator();
        int columns = 0, columnsLine = 0, lineNumber = 0;

        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            var fields = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0) { sentences.Break(); continue; }
            if (fields[0] == DocumentStart) { sentences.Break(); continue; }
            if (columns == 0)
            {
                int needed = Math.Max(tokenColumn, tagColumn < 0 ? 1 : tagColumn) + 1;
                if (fields.Length < needed)
                    throw new InvalidDataException($"{name}:{lineNumber}: expected at least {needed} columns (token column {tokenColumn}, tag column {(tagColumn < 0 ? "last" : tagColumn)}), got {fields.Length}");
                columns = fields.Length;
                columnsLine = lineNumber;
            }
            else if (fields.Length != columns)
                throw new InvalidDataException($"{name}:{lineNumber}: expected {columns} columns (as on line {columnsLine}), got {fields.Length}");
            sentences.Add(fields[tokenColumn], fields[tagColumn < 0 ? columns - 1 : tagColumn], lineNumber);
        }
        return sentences.Finish();
    }

    private static void CheckColumns(int tagColumn, int tokenColumn)
    {
        if (tagColumn < -1)
            throw new ArgumentOutOfRangeException(nameof(tagColumn), tagColumn, $"tagColumn must be −1 (last) or a 0-based column, got {tagColumn}");
        if (tokenColumn < 0)
            throw new ArgumentOutOfRangeException(nameof(tokenColumn), tokenColumn, $"tokenColumn must be a 0-based column, got {tokenColumn}");
        if (tagColumn == tokenColumn)
            throw new ArgumentException($"tagColumn and tokenColumn must differ, got {tagColumn} for both", nameof(tagColumn));
    }
}
