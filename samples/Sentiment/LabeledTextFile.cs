using System.Globalization;
using System.Text;

namespace RnnMl.Samples.Sentiment;

/// <summary>
/// Reads a file of labelled texts (TSV or CSV) for binary sentiment classification, working out its layout by itself.
/// </summary>
/// <remarks>
/// <para>The delimiter comes from the extension (.tsv/.tab: tab; .csv: comma) or else from the first non-blank line
/// (a tab if it has one, else a comma). In CSV a field that starts with a double quote is quoted (<c>""</c> inside is a
/// quote, and it may span lines); in TSV a quote is an ordinary character.</para>
/// <para>The label column is the one named by <c>labelColumn</c> (a header name, or a 0-based index); without it, a header
/// column named label/sentiment/polarity/class/target, or else the column (last, first or any other, in that order of
/// preference) whose fields are most often valid labels among the first 50 lines. The first line is a header when its
/// label field is not a valid label. The text column is the one named by <c>textColumn</c>; without it, a header column
/// named text/sentence/review/content/comment/body/document, or the other column of a two-column file, or else the
/// column with the longest fields. A line with more fields than the first line keeps the extra fields in its text (so
/// unquoted commas in CSV text survive).</para>
/// <para>Labels: 0/1, true/false, pos/neg, positive/negative, case-insensitive. Blank lines are skipped, and so are rows
/// whose text is empty (counted in <see cref="SkippedEmptyRows"/>).</para>
/// </remarks>
public sealed class LabeledTextFile
{
    /// <summary>The accepted labels, as error messages list them.</summary>
    public const string AcceptedLabels = "0/1, true/false, pos/neg, positive/negative";

    private const int SampleLines = 50;
    private static readonly string[] LabelNames = { "label", "labels", "sentiment", "polarity", "class", "target" };
    private static readonly string[] TextNames = { "text", "sentence", "review", "content", "comment", "body", "document" };

    private LabeledTextFile(string source, char delimiter, IReadOnlyList<string>? header, int textColumn, int labelColumn,
        IReadOnlyList<LabeledText> rows, int skippedEmptyRows)
    {
        Source = source;
        Delimiter = delimiter;
        Header = header;
        TextColumn = textColumn;
        LabelColumn = labelColumn;
        Rows = rows;
        SkippedEmptyRows = skippedEmptyRows;
    }

    /// <summary>The file name (or the source name given to <see cref="Read(TextReader, char, string?, string?, string)"/>).</summary>
    public string Source { get; }

    /// <summary>The field delimiter: tab or comma.</summary>
    public char Delimiter { get; }

    /// <summary>The header's column names, or null when the first line is data.</summary>
    public IReadOnlyList<string>? Header { get; }

    /// <summary>The 0-based text column.</summary>
    public int TextColumn { get; }

    /// <summary>The 0-based label column.</summary>
    public int LabelColumn { get; }

    /// <summary>The rows, in file order; both labels occur.</summary>
    public IReadOnlyList<LabeledText> Rows { get; }

    /// <summary>Rows skipped because their text was empty.</summary>
    public int SkippedEmptyRows { get; }

    /// <summary>Rows labelled positive.</summary>
    public int PositiveCount => Rows.Count(r => r.Label);

    /// <summary>Rows labelled negative.</summary>
    public int NegativeCount => Rows.Count(r => !r.Label);

    /// <summary>Reads a file, detecting its delimiter from the extension or the first line.</summary>
    /// <param name="path">The file.</param>
    /// <param name="textColumn">The text column: a header name or a 0-based index; null to detect it.</param>
    /// <param name="labelColumn">The label column: a header name or a 0-based index; null to detect it.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="LabeledTextFormatException">The file is empty, malformed, or has one class only; the message gives the line.</exception>
    public static LabeledTextFile Read(string path, string? textColumn = null, string? labelColumn = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
            throw new FileNotFoundException($"'{path}' is a folder, not a file", path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"file not found: {path}", path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        char? delimiter = DelimiterFromExtension(path);
        if (delimiter is char d)
            return Read(reader, d, textColumn, labelColumn, path);
        var all = reader.ReadToEnd();
        return Read(new StringReader(all), DetectDelimiter(all), textColumn, labelColumn, path);
    }

    /// <summary>Reads labelled text with a known delimiter.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="delimiter">Tab or comma (comma turns on CSV quoting).</param>
    /// <param name="textColumn">The text column: a header name or a 0-based index; null to detect it.</param>
    /// <param name="labelColumn">The label column: a header name or a 0-based index; null to detect it.</param>
    /// <param name="source">The name that error messages give the input.</param>
    /// <exception cref="LabeledTextFormatException">The input is empty, malformed, or has one class only; the message gives the line.</exception>
    public static LabeledTextFile Read(TextReader reader, char delimiter, string? textColumn = null, string? labelColumn = null, string source = "input")
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (delimiter is not ('\t' or ','))
            throw new ArgumentOutOfRangeException(nameof(delimiter), delimiter, "the delimiter must be a tab or a comma");
        var records = Records(reader, delimiter, source);
        if (records.Count == 0)
            throw new LabeledTextFormatException(source, null, "the file is empty");

        var first = records[0];
        string delimiterName = delimiter == '\t' ? "tab" : "comma";
        if (first.Fields.Length < 2)
            throw TooFewFields(source, first, 2, delimiterName);
        int fieldCount = first.Fields.Length;

        var (labelIndex, header) = FindLabelColumn(records, labelColumn, source);
        int textIndex = FindTextColumn(records, header, labelIndex, textColumn, source);
        if (textIndex == labelIndex)
            throw new LabeledTextFormatException(source, null, $"the text and the label are the same column ({Describe(first, header, textIndex)})");

        var rows = new List<LabeledText>(records.Count);
        int skipped = 0;
        foreach (var record in header ? records.Skip(1) : records)
        {
            var f = record.Fields;
            if (f.Length < fieldCount)
                throw TooFewFields(source, record, fieldCount, delimiterName);
            int extra = f.Length - fieldCount;
            string text = extra == 0 ? f[textIndex] : string.Join(delimiter, f, textIndex, extra + 1);
            string label = f[labelIndex > textIndex ? labelIndex + extra : labelIndex];
            if (!TryParseLabel(label, out bool value))
                throw new LabeledTextFormatException(source, record.Line, $"label '{label}' is not one of {AcceptedLabels}");
            text = text.Trim();
            if (text.Length == 0) { skipped++; continue; }
            rows.Add(new LabeledText(text, value, record.Line));
        }
        if (rows.Count == 0)
            throw new LabeledTextFormatException(source, null, skipped > 0 ? "every row has an empty text" : "the file has a header but no rows");
        int positive = rows.Count(r => r.Label);
        if (positive == 0 || positive == rows.Count)
            throw new LabeledTextFormatException(source, null,
                $"only one class present: all {rows.Count} rows are {(positive == 0 ? "negative" : "positive")}; a binary classifier needs both");
        return new LabeledTextFile(source, delimiter, header ? first.Fields : null, textIndex, labelIndex, rows, skipped);
    }

    /// <summary>Parses a label: 0/1, true/false, pos/neg, positive/negative (case-insensitive, surrounding spaces ignored).</summary>
    /// <param name="value">The field.</param>
    /// <param name="label">True for positive.</param>
    /// <returns>Whether <paramref name="value"/> is a label.</returns>
    public static bool TryParseLabel(string? value, out bool label)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "1" or "true" or "pos" or "positive": label = true; return true;
            case "0" or "false" or "neg" or "negative": label = false; return true;
            default: label = false; return false;
        }
    }

    /// <summary>The delimiter a file's extension implies: tab for .tsv and .tab, comma for .csv; null for any other.</summary>
    /// <param name="path">The file name.</param>
    public static char? DelimiterFromExtension(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".tsv" or ".tab" => '\t',
        ".csv" => ',',
        _ => null,
    };

    /// <summary>The delimiter of the first non-blank line: a tab if it has one, else a comma (also when it has neither).</summary>
    /// <param name="text">The file's text, or at least its start.</param>
    public static char DetectDelimiter(string text)
    {
        using var reader = new StringReader(text);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (line.Contains('\t')) return '\t';
            return line.Contains(',') ? ',' : '\t';
        }
        return '\t';
    }

    private sealed record Record(int Line, string[] Fields);

    private static LabeledTextFormatException TooFewFields(string source, Record record, int expected, string delimiterName) =>
        new(source, record.Line, $"expected at least {expected} {delimiterName}-separated fields, got {record.Fields.Length}");

    private static (int Index, bool Header) FindLabelColumn(List<Record> records, string? spec, string source)
    {
        var first = records[0];
        if (spec is not null)
        {
            if (TryIndex(spec, out int index))
            {
                if (index >= first.Fields.Length)
                    throw new LabeledTextFormatException(source, first.Line, $"--label-column {index} is out of range: the line has {first.Fields.Length} fields (0 to {first.Fields.Length - 1})");
                return (index, !TryParseLabel(first.Fields[index], out _));
            }
            return (ByName(first, spec, "--label-column", source), true);
        }
        int named = FindAny(first.Fields, LabelNames, -1);
        if (named >= 0)
            return (named, true);
        // The column whose fields are most often labels; ties go to the last column, then the first, then left to right.
        int n = first.Fields.Length;
        var candidates = new List<int> { n - 1, 0 };
        candidates.AddRange(Enumerable.Range(1, Math.Max(0, n - 2)));
        var sample = records.Take(SampleLines).ToList();
        int best = -1, bestCount = 0;
        foreach (int c in candidates)
        {
            int count = sample.Count(r => r.Fields.Length == n && TryParseLabel(r.Fields[c], out _));
            if (count > bestCount) { best = c; bestCount = count; }
        }
        if (best < 0)
            throw new LabeledTextFormatException(source, sample.Count > 1 ? sample[1].Line : first.Line,
                $"no column holds labels ({AcceptedLabels}); name the label column with --label-column");
        return (best, !TryParseLabel(first.Fields[best], out _));
    }

    private static int FindTextColumn(List<Record> records, bool header, int labelIndex, string? spec, string source)
    {
        var first = records[0];
        if (spec is not null)
        {
            if (TryIndex(spec, out int index))
            {
                if (index >= first.Fields.Length)
                    throw new LabeledTextFormatException(source, first.Line, $"--text-column {index} is out of range: the line has {first.Fields.Length} fields (0 to {first.Fields.Length - 1})");
                return index;
            }
            if (!header)
                throw new LabeledTextFormatException(source, first.Line,
                    $"--text-column '{spec}' names a column, but the file has no header (its first line is data); give a 0-based index instead");
            return ByName(first, spec, "--text-column", source);
        }
        if (header)
        {
            int named = FindAny(first.Fields, TextNames, labelIndex);
            if (named >= 0) return named;
        }
        int n = first.Fields.Length;
        if (n == 2) return 1 - labelIndex;
        var sample = records.Skip(header ? 1 : 0).Take(SampleLines).Where(r => r.Fields.Length == n).ToList();
        return Enumerable.Range(0, n).Where(c => c != labelIndex)
            .OrderByDescending(c => sample.Count == 0 ? 0 : sample.Average(r => r.Fields[c].Length))
            .First();
    }

    private static int ByName(Record header, string name, string option, string source)
    {
        for (int i = 0; i < header.Fields.Length; i++)
            if (string.Equals(header.Fields[i].Trim(), name.Trim(), StringComparison.OrdinalIgnoreCase))
                return i;
        var columns = string.Join(", ", header.Fields.Select(f => $"'{Shorten(f.Trim())}'"));
        return header.Fields.Any(f => TryParseLabel(f, out _))
            ? throw new LabeledTextFormatException(source, header.Line,
                $"{option} '{name}' is not a column: the file seems to have no header (its first line is data: {columns}); give a 0-based index instead")
            : throw new LabeledTextFormatException(source, header.Line,
                $"{option} '{name}' is not in the header; the header's columns are: {columns}");
    }

    private static int FindAny(string[] fields, string[] names, int except)
    {
        foreach (var name in names)
            for (int i = 0; i < fields.Length; i++)
                if (i != except && string.Equals(fields[i].Trim(), name, StringComparison.OrdinalIgnoreCase))
                    return i;
        return -1;
    }

    private static bool TryIndex(string spec, out int index) =>
        int.TryParse(spec.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out index);

    private static string Describe(Record first, bool header, int index) =>
        header ? $"'{first.Fields[index].Trim()}'" : $"column {index}";

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";

    // Splits the input into records; a CSV record may span lines inside quotes. Blank lines are skipped.
    private static List<Record> Records(TextReader reader, char delimiter, string source)
    {
        var records = new List<Record>();
        string? line;
        int lineNumber = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (delimiter == '\t')
            {
                records.Add(new Record(lineNumber, line.Split('\t')));
                continue;
            }
            int start = lineNumber;
            records.Add(new Record(start, CsvRecord(line, reader, ref lineNumber, source, start)));
        }
        return records;
    }

    private static string[] CsvRecord(string line, TextReader reader, ref int lineNumber, string source, int start)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int i = 0;
        while (true)
        {
            // At the start of a field.
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        var next = reader.ReadLine()
                            ?? throw new LabeledTextFormatException(source, start, "a quoted field opened on this line is never closed");
                        lineNumber++;
                        field.Append('\n');
                        line = next;
                        i = 0;
                        continue;
                    }
                    char c = line[i++];
                    if (c != '"') { field.Append(c); continue; }
                    if (i < line.Length && line[i] == '"') { field.Append('"'); i++; continue; }
                    break;
                }
                // After the closing quote, keep anything up to the next comma (lenient).
                while (i < line.Length && line[i] != ',') field.Append(line[i++]);
            }
            else
            {
                while (i < line.Length && line[i] != ',') field.Append(line[i++]);
            }
            fields.Add(field.ToString());
            field.Clear();
            if (i >= line.Length) return fields.ToArray();
            i++; // the comma
        }
    }
}
