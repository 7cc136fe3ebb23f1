using Microsoft.ML.OnnxRuntime;
using RnnMl.Onnx.Internal;
using RnnMl.Text;
using RnnMl.Text.Export;
using RnnMl.Text.Internal;
using RnnMl.Text.Tagging;

namespace RnnMl.Onnx;

/// <summary>
/// A sequence tagger exported by RnnMl's <c>OnnxExporter</c>, run by ONNX Runtime: the graph gives per-token emission
/// scores and the tags are decoded here, by <see cref="Viterbi"/> over the CRF scores stored in the metadata (the same
/// code the TorchSharp model decodes with), or as each token's argmax without a CRF. Needs neither TorchSharp nor
/// libtorch. Safe to use from several threads at once. After <see cref="Dispose"/> every member throws
/// <see cref="ObjectDisposedException"/>; a <see cref="Dispose"/> during a call waits for it to finish.
/// </summary>
/// <remarks>Shapes: N batch, T time (tokens), C characters per token, K tags. With a character encoder, each distinct
/// word of a batch is sent to the graph once.</remarks>
/// <example>
/// <code>
/// using var tagger = OnnxSequenceTagger.Load("tagger.onnx");
/// var (tokens, tags) = tagger.Tag("Maria flew to Lisbon .");   // Viterbi in C# over the graph's emission scores
/// </code>
/// </example>
public sealed class OnnxSequenceTagger : IDisposable
{
    private readonly InferenceSession session;
    private readonly UsageGate gate = new(nameof(OnnxSequenceTagger));
    private readonly TaggerModelInfo info;
    private readonly double[]? start, end, transitions;
    private readonly string[] inputNames;
    private readonly string[] outputNames = { TaggerGraphNames.Emissions };

    private OnnxSequenceTagger(InferenceSession session, TaggerModelInfo info)
    {
        this.session = session;
        this.info = info;
        inputNames = InputNames(info);
        if (info.Crf is { } crf) (start, end, transitions) = (crf.Start.ToArray(), crf.End.ToArray(), crf.Transitions.ToArray());
    }

    /// <summary>Loads an exported tagger file.</summary>
    /// <param name="filePath">The .onnx file written with its text settings.</param>
    /// <param name="options">ONNX Runtime session options; null for ONNX Runtime's defaults.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="filePath"/>.</exception>
    /// <exception cref="InvalidDataException">ONNX Runtime refuses the file, or it has not the inputs, output or metadata of an exported RnnMl tagger.</exception>
    public static OnnxSequenceTagger Load(string filePath, SessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        var full = Path.GetFullPath(filePath);
        return OnnxSessions.Load(filePath, options, session =>
        {
            var info = OnnxSessions.ReadMetadata(session, filePath, TaggerModelInfo.FromMetadata);
            var expected = InputNames(info);
            if (!expected.All(session.InputMetadata.ContainsKey) || session.InputMetadata.Count != expected.Length)
                throw new InvalidDataException($"'{full}' is not an exported RnnMl tagger: its inputs must be {string.Join(", ", expected)}, got {string.Join(", ", session.InputMetadata.Keys)}");
            if (!session.OutputMetadata.TryGetValue(TaggerGraphNames.Emissions, out var emissions))
                throw new InvalidDataException($"'{full}' is not an exported RnnMl tagger: it has no output '{TaggerGraphNames.Emissions}' (its outputs: {string.Join(", ", session.OutputMetadata.Keys)})");
            var dims = emissions.Dimensions;
            if (dims.Length != 3 || dims[2] != info.TagNames.Count)
                throw new InvalidDataException($"'{full}' is inconsistent: output '{TaggerGraphNames.Emissions}' must be (N, T, K) with K = {info.TagNames.Count} tag names, got [{string.Join(", ", dims)}]");
            return new OnnxSequenceTagger(session, info);
        });
    }

    /// <summary>The graph's inputs: tokens and lengths, then the characters' two with a character encoder, then casing with the casing feature.</summary>
    private static string[] InputNames(TaggerModelInfo info)
    {
        var names = new List<string> { TaggerGraphNames.Tokens, TaggerGraphNames.Lengths };
        if (info.Characters is not null) names.AddRange(new[] { TaggerGraphNames.Characters, TaggerGraphNames.WordIndex });
        if (info.Casing) names.Add(TaggerGraphNames.Casing);
        return names.ToArray();
    }

    /// <summary>The tokenizer, vocabularies, tag names and CRF scores stored with the model.</summary>
    /// <exception cref="ObjectDisposedException">The tagger has been disposed.</exception>
    public TaggerModelInfo Info
    {
        get { gate.ThrowIfClosed(); return info; }
    }

    /// <summary>Tags raw text: split by the stored tokenizer, one tag name per token.</summary>
    /// <param name="text">Raw text; empty text gives no tokens.</param>
    /// <returns>The tokens and their tags.</returns>
    /// <exception cref="ObjectDisposedException">The tagger has been disposed.</exception>
    public (IReadOnlyList<string> Tokens, IReadOnlyList<string> Tags) Tag(string? text)
    {
        using var lease = gate.Enter();
        var tokens = info.Tokenizer.Tokenize(text);
        return (tokens, Tag(new[] { tokens })[0]);
    }

    /// <summary>Tags already-split sentences in batches of similar length (results in input order); an empty sentence gets no tags.</summary>
    /// <param name="sentences">The tokens of each sentence, as in training (no further tokenization; lower-cased for the
    /// word vocabulary if <see cref="TaggerModelInfo.LowerCaseWords"/>).</param>
    /// <param name="batchSize">Sentences per ONNX Runtime call; at least 1. Default 256.</param>
    /// <returns>One tag name per token.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1.</exception>
    /// <exception cref="ObjectDisposedException">The tagger has been disposed.</exception>
    public IReadOnlyList<string[]> Tag(IReadOnlyList<IReadOnlyList<string>> sentences, int batchSize = 256)
    {
        using var lease = gate.Enter();
        ArgumentNullException.ThrowIfNull(sentences);
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch size must be at least 1, got {batchSize}");
        var tokens = sentences.Select((s, i) => info.EncodeWords(s ?? throw new ArgumentException($"sentence {i} is null", nameof(sentences)))).ToArray();
        var characters = info.Characters is null ? null : sentences.Select(s => info.EncodeCharacters(s)!).ToArray();
        var casing = info.Casing ? sentences.Select(s => info.EncodeCasing(s)!).ToArray() : null;
        var order = Enumerable.Range(0, tokens.Length).OrderBy(i => tokens[i].Length).ToArray();
        var result = new string[tokens.Length][];
        for (int from = 0; from < order.Length; from += batchSize)
        {
            var rows = order.AsSpan(from, Math.Min(batchSize, order.Length - from)).ToArray();
            var ids = TagIds(rows.Select(r => tokens[r]).ToArray(), characters is null ? null : rows.Select(r => characters[r]).ToArray(),
                casing is null ? null : rows.Select(r => casing[r]).ToArray());
            for (int k = 0; k < rows.Length; k++) result[rows[k]] = ids[k].Select(t => info.TagNames[(int)t]).ToArray();
        }
        return result;
    }

    /// <summary>Tags one batch of token ids (and character ids with a character encoder, casing ids with the casing feature); an empty sentence gets no tags.</summary>
    /// <param name="tokens">N sentences of word ids in [0, vocabulary size).</param>
    /// <param name="characters">With a character encoder: the character ids of each token of each sentence; null without.</param>
    /// <param name="casing">With the casing feature (<see cref="TaggerModelInfo.Casing"/>): the casing id of each token of each
    /// sentence (<see cref="TokenCasing.Encode"/>); null without.</param>
    /// <returns>N arrays of tag ids.</returns>
    /// <exception cref="ArgumentException">Characters or casing ids missing, unexpected or misaligned, or an id out of range (naming sentence, position and id).</exception>
    /// <exception cref="ObjectDisposedException">The tagger has been disposed.</exception>
    public long[][] TagIds(IReadOnlyList<long[]> tokens, IReadOnlyList<long[][]>? characters = null, IReadOnlyList<long[]>? casing = null)
    {
        using var lease = gate.Enter();
        ArgumentNullException.ThrowIfNull(tokens);
        int n = tokens.Count;
        if (n == 0) return Array.Empty<long[]>();
        CheckInputs(tokens, characters);
        CheckCasing(tokens, casing);
        var lengths = new long[n];
        for (int i = 0; i < n; i++) lengths[i] = Math.Max(1, tokens[i].Length);
        long t = lengths.Max();
        var flat = new long[n * t];
        for (int i = 0; i < n; i++) Array.Copy(tokens[i], 0, flat, i * t, tokens[i].Length);
        var values = new List<OrtValue>();
        try
        {
            values.Add(OrtValue.CreateTensorValueFromMemory(flat, new[] { (long)n, t }));
            values.Add(OrtValue.CreateTensorValueFromMemory(lengths, new[] { (long)n }));
            if (characters is not null)
            {
                // Each distinct word of the batch goes to the graph once (its character encoder is the costly part).
                var (words, index) = DistinctWords.Of(characters, t);
                values.Add(OrtValue.CreateTensorValueFromMemory(words.Characters, new[] { words.Count, words.Width }));
                values.Add(OrtValue.CreateTensorValueFromMemory(index, new[] { (long)n, t }));
            }
            if (casing is not null)
            {
                var flatCasing = new long[n * t];
                for (int i = 0; i < n; i++) Array.Copy(casing[i], 0, flatCasing, i * t, casing[i].Length);
                values.Add(OrtValue.CreateTensorValueFromMemory(flatCasing, new[] { (long)n, t }));
            }
            using var run = new RunOptions();
            using var outputs = session.Run(run, inputNames, values, outputNames);
            var emissions = outputs[0].GetTensorDataAsSpan<float>();
            int k = info.TagNames.Count;
            var result = new long[n][];
            var scores = new double[t * k];
            for (int i = 0; i < n; i++)
            {
                int len = tokens[i].Length;
                var row = emissions.Slice((int)(i * t * k), len * k);
                for (int q = 0; q < row.Length; q++) scores[q] = row[q];
                result[i] = start is null ? Argmax(scores.AsSpan(0, len * k), len, k) : Viterbi.Decode(scores.AsSpan(0, len * k), len, start, end, transitions).Tags;
            }
            return result;
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private void CheckInputs(IReadOnlyList<long[]> tokens, IReadOnlyList<long[][]>? characters)
    {
        int vocabulary = info.Vocabulary.Count, charCount = info.Characters?.Count ?? 0;
        if (characters is null && info.Characters is not null)
            throw new ArgumentException("the model has a character encoder: the characters of every token are required", nameof(characters));
        if (characters is not null && info.Characters is null)
            throw new ArgumentException("the model has no character encoder, but characters were given", nameof(characters));
        if (characters is not null && characters.Count != tokens.Count)
            throw new ArgumentException($"there must be character ids for each of the {tokens.Count} sentences, got {characters.Count}", nameof(characters));
        for (int i = 0; i < tokens.Count; i++)
        {
            var s = tokens[i] ?? throw new ArgumentException($"sentence {i} is null", nameof(tokens));
            for (int j = 0; j < s.Length; j++)
                if (s[j] < 0 || s[j] >= vocabulary)
                    throw new ArgumentOutOfRangeException(nameof(tokens), s[j], $"token ids must be between 0 and {vocabulary - 1}, got {s[j]} in sentence {i} at position {j}");
            if (characters is null) continue;
            var c = characters[i] ?? throw new ArgumentException($"sentence {i}: the character ids are null", nameof(characters));
            if (c.Length != s.Length)
                throw new ArgumentException($"sentence {i}: {s.Length} tokens but character ids for {c.Length}", nameof(characters));
            for (int j = 0; j < c.Length; j++)
                foreach (var id in c[j] ?? throw new ArgumentException($"sentence {i}, token {j}: the character ids are null", nameof(characters)))
                    if (id < 0 || id >= charCount)
                        throw new ArgumentOutOfRangeException(nameof(characters), id, $"character ids must be between 0 and {charCount - 1}, got {id} in sentence {i} at token {j}");
        }
    }

    private void CheckCasing(IReadOnlyList<long[]> tokens, IReadOnlyList<long[]>? casing)
    {
        if (casing is null)
        {
            if (info.Casing)
                throw new ArgumentException("the model has the casing feature: the casing ids of every token are required (TokenCasing.Encode)", nameof(casing));
            return;
        }
        if (!info.Casing)
            throw new ArgumentException("the model has no casing feature, but casing ids were given", nameof(casing));
        if (casing.Count != tokens.Count)
            throw new ArgumentException($"there must be casing ids for each of the {tokens.Count} sentences, got {casing.Count}", nameof(casing));
        for (int i = 0; i < tokens.Count; i++)
        {
            var c = casing[i] ?? throw new ArgumentException($"sentence {i}: the casing ids are null", nameof(casing));
            if (c.Length != tokens[i].Length)
                throw new ArgumentException($"sentence {i}: {tokens[i].Length} tokens but {c.Length} casing ids", nameof(casing));
            for (int j = 0; j < c.Length; j++)
                if (c[j] < 0 || c[j] >= TokenCasing.Count)
                    throw new ArgumentOutOfRangeException(nameof(casing), c[j], $"casing ids must be between 0 and {TokenCasing.Count - 1}, got {c[j]} in sentence {i} at position {j}");
        }
    }

    private static long[] Argmax(ReadOnlySpan<double> scores, int length, int k)
    {
        var tags = new long[length];
        for (int t = 0; t < length; t++)
        {
            int best = 0;
            for (int j = 1; j < k; j++) if (scores[t * k + j] > scores[t * k + best]) best = j;
            tags[t] = best;
        }
        return tags;
    }

    /// <summary>Frees ONNX Runtime's session after the calls in flight have finished; new calls throw
    /// <see cref="ObjectDisposedException"/>. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (gate.Close()) session.Dispose();
    }
}
