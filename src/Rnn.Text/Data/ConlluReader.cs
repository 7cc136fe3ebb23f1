using System.Globalization;

namespace RnnMl.Text.Data;

/// <summary>
/// Reads CoNLL-U files (Universal Dependencies): the word form and one tag column (UPOS or XPOS) of every syntactic word.
/// </summary>
/// <remarks>
/// A word line has exactly 10 tab-separated fields: ID, FORM, LEMMA, UPOS, XPOS, FEATS, HEAD, DEPREL, DEPS, MISC.
/// Lines starting with <c>#</c> are comments; a blank line ends a sentence. Multi-word token lines (ID <c>3-4</c>, the
/// surface form of words 3 and 4, which follow as their own lines) and empty nodes (ID <c>5.1</c>) are skipped, so the
/// tokens are the syntactic words the tags belong to. Word IDs must run 1, 2, 3, … within a sentence. A malformed line
/// gives an <see cref="InvalidDataException"/> naming the file, the line and what was wrong.
/// </remarks>
public static class ConlluReader
{
    private const int FieldCount = 10;

    /// <summary>Reads a file.</summary>
    /// <param name="path">The file (UTF-8).</param>
    /// <param name="column">The tag column; default UPOS.</param>
    /// <exception cref="InvalidDataException">A line is malformed (naming the file and line).</exception>
    public static IReadOnlyList<TaggedSentence> ReadFile(string path, ConlluTagColumn column = ConlluTagColumn.Upos)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckColumn(column);
        using var reader = new StreamReader(path);
        return Read(reader, path, column);
    }

    /// <summary>Reads from <paramref name="reader"/>; <paramref name="name"/> names the source in error messages.</summary>
    /// <param name="reader">The text to read.</param>
    /// <param name="name">The source's name (a path) for error messages.</param>
    /// <param name="column">The tag column; default UPOS.</param>
    /// <exception cref="InvalidDataException">A line is malformed (naming the source and line).</exception>
    public static IReadOnlyList<TaggedSentence> Read(TextReader reader, string name, ConlluTagColumn column = ConlluTagColumn.Upos)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(name);
        CheckColumn(column);
        int tagField = column == ConlluTagColumn.Upos ? 3 : 4;
        var sentences = new TaggedSentenceAccumulator();
        int lineNumber = 0;

        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Trim().Length == 0) { sentences.Break(); continue; }
            if (line.StartsWith('#')) continue;
            var fields = line.Split('\t');
            if (fields.Length != FieldCount)
                throw new InvalidDataException($"{name}:{lineNumber}: a CoNLL-U word line has {FieldCount} tab-separated fields, got {fields.Length}");
            string id = fields[0];
            if (id.Contains('-'))
            {
                var range = id.Split('-');
                if (range.Length != 2 || !IsWordId(range[0], out int from) || !IsWordId(range[1], out int to) || to <= from)
                    throw new InvalidDataException($"{name}:{lineNumber}: multi-word token ID must be a-b with 1 ≤ a < b, got '{id}'");
                continue;
            }
            if (id.Contains('.'))
            {
                var parts = id.Split('.');
                if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out _) || !IsWordId(parts[1], out _))
                    throw new InvalidDataException($"{name}:{lineNumber}: empty node ID must be i.j, got '{id}'");
                continue;
            }
            if (!IsWordId(id, out int wordId))
                throw new InvalidDataException($"{name}:{lineNumber}: word ID must be a positive integer, got '{id}'");
            if (wordId != sentences.Count + 1)
                throw new InvalidDataException($"{name}:{lineNumber}: expected word ID {sentences.Count + 1}, got {wordId}");
            if (fields[1].Length == 0 || fields[tagField].Length == 0)
                throw new InvalidDataException($"{name}:{lineNumber}: FORM and {column.ToString().ToUpperInvariant()} must not be empty");
            sentences.Add(fields[1], fields[tagField], lineNumber);
        }
        return sentences.Finish();
    }

    private static bool IsWordId(string s, out int id)
        => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id >= 1;

    private static void CheckColumn(ConlluTagColumn column)
    {
        if (!Enum.IsDefined(column))
            throw new ArgumentOutOfRangeException(nameof(column), column, $"column must be Upos or Xpos, got {column}");
    }
}
