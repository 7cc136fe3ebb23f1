using System.Globalization;
using System.Text;

namespace RnnMl.Text;

/// <summary>
/// Pretrained word vectors (word2vec, GloVe, fastText) matched to a <see cref="Vocabulary"/>: only the rows of words in
/// the vocabulary are kept, so large files cost one pass and little memory.
/// </summary>
/// <remarks>
/// A file word is matched after the same normalisation as the text (the tokenizer's <see cref="Tokenizer.Normalize"/>:
/// Unicode normalisation and, when the tokenizer lower-cases, lower-casing). When several file words normalise to the
/// same token (e.g. "The" and "the"), the one already in normalised form wins, otherwise the first in the file. The
/// padding and unknown tokens are never matched.
/// </remarks>
public sealed class WordVectors
{
    private WordVectors(string source, int dimension, Dictionary<int, float[]> rows, long entries)
    {
        (Source, Dimension, Rows, Entries) = (source, dimension, rows, entries);
    }

    /// <summary>The file the vectors came from.</summary>
    public string Source { get; }

    /// <summary>The number of values per word.</summary>
    public int Dimension { get; }

    /// <summary>Vocabulary id → its vector (<see cref="Dimension"/> values), for every matched vocabulary token.</summary>
    public IReadOnlyDictionary<int, float[]> Rows { get; }

    /// <summary>The number of words the file holds.</summary>
    public long Entries { get; }

    /// <summary>Reads <paramref name="path"/> and keeps the vectors of the words of <paramref name="vocabulary"/>.</summary>
    /// <param name="path">The vector file.</param>
    /// <param name="vocabulary">The tokens to match.</param>
    /// <param name="tokenizer">Its <see cref="Tokenizer.Normalize"/> is applied to each file word before matching; null to match words as they are.</param>
    /// <param name="format">The file's layout; default <see cref="WordVectorFormat.Auto"/>.</param>
    /// <param name="expectedDimension">The number of values each vector must have (the embedding size); null to accept the file's.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed, or its dimension is not <paramref name="expectedDimension"/>; the message names the file and the line (text) or entry (binary).</exception>
    public static WordVectors Load(string path, Vocabulary vocabulary, Tokenizer? tokenizer = null, WordVectorFormat format = WordVectorFormat.Auto, int? expectedDimension = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (!Enum.IsDefined(format))
            throw new ArgumentOutOfRangeException(nameof(format), format, $"format must be Auto, Text or Word2VecBinary, got {format}");
        if (expectedDimension is < 1)
            throw new ArgumentOutOfRangeException(nameof(expectedDimension), expectedDimension, $"expected dimension must be at least 1, got {expectedDimension}");
        if (!File.Exists(path))
            throw new FileNotFoundException($"word-vector file '{path}' does not exist", path);
        if (format == WordVectorFormat.Auto)
            format = path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) ? WordVectorFormat.Word2VecBinary : WordVectorFormat.Text;
        var matcher = new Matcher(path, vocabulary, tokenizer, expectedDimension);
        try
        {
            if (format == WordVectorFormat.Text) ReadText(path, matcher);
            else ReadBinary(path, matcher);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException($"word-vector file '{path}' could not be read: {e.Message}", e);
        }
        if (matcher.Dimension == 0)
            throw new InvalidDataException($"word-vector file '{path}' holds no vectors");
        return new WordVectors(path, matcher.Dimension, matcher.Rows, matcher.Entries);
    }

    private static void ReadText(string path, Matcher matcher)
    {
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        int lineNumber = 0;
        string? line;
        while ((line = ReadLine(reader, path, lineNumber + 1)) is not null)
        {
            lineNumber++;
            var trimmed = line.TrimEnd('\r', ' ', '\t');
            if (trimmed.Length == 0) continue;
            var fields = trimmed.Split(' ');
            if (lineNumber == 1 && fields.Length == 2 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out _)
                && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int headerDimension))
            {
                matcher.SetDimension(headerDimension, $"line 1 (header)");
                continue;
            }
            if (fields.Length < 2)
                throw new InvalidDataException($"word-vector file '{path}', line {lineNumber}: expected a word and its values, got '{Cut(trimmed)}'");
            // The values are the last D fields; a word may itself contain spaces.
            int d = matcher.Dimension == 0 ? fields.Length - 1 : matcher.Dimension;
            if (fields.Length - 1 < d)
                throw new InvalidDataException($"word-vector file '{path}', line {lineNumber}: {fields.Length - 1} values, expected {d}");
            string word = string.Join(' ', fields, 0, fields.Length - d);
            if (matcher.Dimension == 0) matcher.SetDimension(d, $"line {lineNumber}");
            if (!matcher.Wants(word, out int id, out bool exact)) { matcher.Entries++; continue; }
            var vector = new float[d];
            for (int i = 0; i < d; i++)
            {
                var field = fields[fields.Length - d + i];
                if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out vector[i]) || !float.IsFinite(vector[i]))
                    throw new InvalidDataException($"word-vector file '{path}', line {lineNumber}: value {i + 1} of '{Cut(word)}' is '{Cut(field)}', not a finite number");
            }
            matcher.Entries++;
            matcher.Add(id, exact, vector);
        }
    }

    private static string? ReadLine(StreamReader reader, string path, int lineNumber)
    {
        try { return reader.ReadLine(); }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"word-vector file '{path}', line {lineNumber}: not UTF-8 text (a word2vec binary file? name it *.bin or choose the Word2VecBinary format)", e);
        }
    }

    private static void ReadBinary(string path, Matcher matcher)
    {
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 16);
        string header = ReadToken(stream, '\n', path, "the header line") ?? throw new InvalidDataException($"word-vector file '{path}' is empty");
        var parts = header.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long count)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int d) || d < 1)
            throw new InvalidDataException($"word-vector file '{path}', line 1: expected the word2vec binary header 'count dimension', got '{Cut(header)}'");
        matcher.SetDimension(d, "line 1 (header)");
        var bytes = new byte[4 * d];
        for (long entry = 1; entry <= count; entry++)
        {
            string? word = ReadToken(stream, ' ', path, $"entry {entry}");
            if (word is null)
                throw new InvalidDataException($"word-vector file '{path}' ends after {entry - 1} entries; its header promises {count}");
            word = word.Trim('\n', '\r');
            if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length)
                throw new InvalidDataException($"word-vector file '{path}', entry {entry} ('{Cut(word)}'): the file ends inside its {d} values");
            matcher.Entries++;
            if (!matcher.Wants(word, out int id, out bool exact)) continue;
            var vector = new float[d];
            for (int i = 0; i < d; i++)
            {
                vector[i] = BitConverter.ToSingle(BitConverter.IsLittleEndian ? bytes.AsSpan(4 * i, 4) : bytes.AsSpan(4 * i, 4).ToArray().Reverse().ToArray());
                if (!float.IsFinite(vector[i]))
                    throw new InvalidDataException($"word-vector file '{path}', entry {entry} ('{Cut(word)}'): value {i + 1} is {vector[i]}, not finite");
            }
            matcher.Add(id, exact, vector);
        }
    }

    /// <summary>UTF-8 bytes up to <paramref name="end"/> (not included); null at the end of the stream before any byte.</summary>
    private static string? ReadToken(Stream stream, char end, string path, string where)
    {
        var buffer = new List<byte>(32);
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != end)
        {
            if (buffer.Count == 0 && b == '\n' && end == ' ') continue; // the newline some writers put after each vector
            buffer.Add((byte)b);
            if (buffer.Count > 10_000)
                throw new InvalidDataException($"word-vector file '{path}', {where}: more than 10,000 bytes without a separator; not a word2vec binary file?");
        }
        if (b < 0 && buffer.Count == 0) return null;
        try { return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.ToArray()); }
        catch (DecoderFallbackException e) { throw new InvalidDataException($"word-vector file '{path}', {where}: the word is not UTF-8", e); }
    }

    private static string Cut(string s) => s.Length > 40 ? s[..40] + "…" : s;

    /// <summary>Matches file words to vocabulary ids and keeps the rows.</summary>
    private sealed class Matcher(string path, Vocabulary vocabulary, Tokenizer? tokenizer, int? expected)
    {
        private readonly HashSet<int> exactIds = new();

        public Dictionary<int, float[]> Rows { get; } = new();

        public int Dimension { get; private set; }

        public long Entries { get; set; }

        public void SetDimension(int d, string where)
        {
            if (expected is { } e && d != e)
                throw new InvalidDataException($"word-vector file '{path}', {where}: the vectors have {d} values, but the embedding size is {e}; set the embedding size to {d} or use a file of {e}-value vectors");
            Dimension = d;
        }

        public bool Wants(string word, out int id, out bool exact)
        {
            var token = tokenizer is null ? word : tokenizer.Normalize(word);
            exact = token == word;
            id = vocabulary.Contains(token) ? vocabulary.IdOf(token) : -1;
            if (id <= Vocabulary.UnknownId) return false;
            // Keep the first match, unless a later one is the token's exact form and the kept one was not.
            return !Rows.ContainsKey(id) || (exact && !exactIds.Contains(id));
        }

        public void Add(int id, bool exact, float[] vector)
        {
            Rows[id] = vector;
            if (exact) exactIds.Add(id);
        }
    }
}
