using Microsoft.ML.OnnxRuntime;
using RnnMl.Text;
using RnnMl.Text.Decoding;
using RnnMl.Text.Export;
using RnnMl.Text.Internal;
using Names = RnnMl.Text.Export.Seq2SeqGraphNames;

namespace RnnMl.Onnx;

/// <summary>
/// A translator exported by RnnMl's <c>OnnxExporter</c> (an encoder graph and a decoder-step graph), run by ONNX Runtime:
/// tokenizes raw text with the exported source tokenizer and vocabulary, runs the encoder once per batch and the decoder
/// step in a C# loop (greedy or beam search, the same algorithm and tie-breaking as TorchSharp's <c>GreedyDecoder</c> and
/// <c>BeamSearchDecoder</c>), and joins the target tokens into text. Needs neither TorchSharp nor libtorch. Safe to use from
/// several threads at once. After <see cref="Dispose"/> every member throws <see cref="ObjectDisposedException"/>; a
/// <see cref="Dispose"/> during a translation waits for it to finish.
/// </summary>
/// <remarks>
/// Shapes: N sentences, K beams, S source steps, L decoder layers, Q decoder hidden size, V target vocabulary. Beam search
/// runs all sentences and beams as one (N·K) batch with <see cref="BeamSearch"/> (RnnMl.Text), the bookkeeping TorchSharp's
/// <c>BeamSearchDecoder</c> uses too: K live hypotheses per sentence, ended ones ranked by log-probability / length^α.
/// Padding and the begin token are never produced.
/// </remarks>
public sealed class OnnxTranslator : IDisposable
{
    private readonly InferenceSession encoder;
    private readonly InferenceSession decoder;
    private readonly UsageGate gate = new(nameof(OnnxTranslator));
    private readonly TranslationModelInfo text;
    private readonly int layers;
    private readonly int hiddenSize;
    private readonly string[] encoderOutputs;
    private readonly string[] decoderInputs;
    private readonly string[] decoderOutputs;
    private readonly bool hasC;
    private readonly bool hasFeed;
    private readonly bool hasAttention;
    private readonly bool hasKeys;

    private OnnxTranslator(InferenceSession encoder, InferenceSession decoder, TranslationModelInfo text, int layers, int hiddenSize)
    {
        this.encoder = encoder;
        this.decoder = decoder;
        this.text = text;
        this.layers = layers;
        this.hiddenSize = hiddenSize;
        hasC = decoder.InputMetadata.ContainsKey(Names.C);
        hasFeed = decoder.InputMetadata.ContainsKey(Names.Feed);
        hasAttention = decoder.InputMetadata.ContainsKey(Names.Memory);
        hasKeys = decoder.InputMetadata.ContainsKey(Names.Keys);
        encoderOutputs = new[] { Names.H, hasC ? Names.C : null, hasAttention ? Names.Memory : null, hasKeys ? Names.Keys : null, hasAttention ? Names.SourceMask : null }
            .OfType<string>().ToArray();
        decoderInputs = new[] { Names.Previous, Names.H, hasC ? Names.C : null, hasFeed ? Names.Feed : null, hasAttention ? Names.Memory : null, hasKeys ? Names.Keys : null, hasAttention ? Names.SourceMask : null }
            .OfType<string>().ToArray();
        decoderOutputs = new[] { Names.LogProbabilities, Names.NewH, hasC ? Names.NewC : null, hasFeed ? Names.NewFeed : null }.OfType<string>().ToArray();
    }

    /// <summary>Loads <c>encoder.onnx</c> and <c>decoder.onnx</c> from a folder written by <c>OnnxExporter.Export(Seq2SeqModel, folder, text)</c>.</summary>
    /// <param name="directory">The exported folder.</param>
    /// <param name="options">ONNX Runtime session options for both graphs; null for ONNX Runtime's defaults.</param>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    /// <exception cref="FileNotFoundException">A graph file is missing.</exception>
    /// <exception cref="InvalidDataException">ONNX Runtime refuses a graph, or the graphs lack the inputs, outputs or text
    /// settings of an exported RnnMl translator, or do not fit each other; the message says which.</exception>
    public static OnnxTranslator Load(string directory, SessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"no exported translator folder at '{full}' (it should hold {Names.EncoderFile} and {Names.DecoderFile})");
        return Load(Path.Combine(full, Names.EncoderFile), Path.Combine(full, Names.DecoderFile), options);
    }

    /// <summary>Loads the two graphs from their files.</summary>
    /// <param name="encoderPath">The encoder graph, exported with text settings.</param>
    /// <param name="decoderPath">The decoder-step graph of the same model.</param>
    /// <param name="options">ONNX Runtime session options for both graphs; null for ONNX Runtime's defaults.</param>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">As for <see cref="Load(string, SessionOptions?)"/>.</exception>
    public static OnnxTranslator Load(string encoderPath, string decoderPath, SessionOptions? options = null)
    {
        var encoder = Open(encoderPath, options);
        InferenceSession? decoder = null;
        try
        {
            decoder = Open(decoderPath, options);
            string where = $"'{Path.GetFullPath(encoderPath)}' and '{Path.GetFullPath(decoderPath)}'";
            Require(encoder.InputMetadata.Keys, new[] { Names.Source, Names.SourceLengths }, "encoder input", encoderPath);
            Require(encoder.OutputMetadata.Keys, new[] { Names.H }, "encoder output", encoderPath);
            Require(decoder.InputMetadata.Keys, new[] { Names.Previous, Names.H }, "decoder input", decoderPath);
            Require(decoder.OutputMetadata.Keys, new[] { Names.LogProbabilities, Names.NewH }, "decoder output", decoderPath);
            // What the decoder reads, the encoder (or, for feed and its successors, the decoder itself) must produce.
            foreach (var name in new[] { Names.C, Names.Memory, Names.Keys, Names.SourceMask })
                if (decoder.InputMetadata.ContainsKey(name) != encoder.OutputMetadata.ContainsKey(name))
                    throw new InvalidDataException($"{where} do not fit each other: '{name}' is {(decoder.InputMetadata.ContainsKey(name) ? "a decoder input but no encoder output" : "an encoder output but no decoder input")}");
            if (decoder.InputMetadata.ContainsKey(Names.C) && !decoder.OutputMetadata.ContainsKey(Names.NewC))
                throw new InvalidDataException($"'{Path.GetFullPath(decoderPath)}' reads '{Names.C}' but has no output '{Names.NewC}'");
            if (decoder.InputMetadata.ContainsKey(Names.Feed) && !decoder.OutputMetadata.ContainsKey(Names.NewFeed))
                throw new InvalidDataException($"'{Path.GetFullPath(decoderPath)}' reads '{Names.Feed}' but has no output '{Names.NewFeed}'");
            var h = decoder.InputMetadata[Names.H].Dimensions;
            if (h.Length != 3 || h[0] < 1 || h[2] < 1)
                throw new InvalidDataException($"'{Path.GetFullPath(decoderPath)}': input '{Names.H}' must be (L, N, Q) with fixed L and Q, got [{string.Join(", ", h)}]");
            TranslationModelInfo text;
            try { text = TranslationModelInfo.FromMetadata(encoder.ModelMetadata.CustomMetadataMap); }
            catch (InvalidDataException e) { throw new InvalidDataException($"'{Path.GetFullPath(encoderPath)}': {e.Message}", e); }
            var v = decoder.OutputMetadata[Names.LogProbabilities].Dimensions;
            if (v.Length != 2 || v[1] != text.TargetVocabulary.Count)
                throw new InvalidDataException($"{where} are inconsistent: output '{Names.LogProbabilities}' must be (N, {text.TargetVocabulary.Count}) for the target vocabulary, got [{string.Join(", ", v)}]");
            return new OnnxTranslator(encoder, decoder, text, h[0], h[2]);
        }
        catch
        {
            decoder?.Dispose();
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>Tokenizers, vocabularies, begin/end ids, maximum source length and decoding defaults stored with the model.</summary>
    /// <exception cref="ObjectDisposedException">The translator has been disposed.</exception>
    public TranslationModelInfo Text
    {
        get { gate.ThrowIfClosed(); return text; }
    }

    /// <summary>L, the decoder's layers.</summary>
    /// <exception cref="ObjectDisposedException">The translator has been disposed.</exception>
    public int Layers
    {
        get { gate.ThrowIfClosed(); return layers; }
    }

    /// <summary>Q, the decoder's hidden size.</summary>
    /// <exception cref="ObjectDisposedException">The translator has been disposed.</exception>
    public int HiddenSize
    {
        get { gate.ThrowIfClosed(); return hiddenSize; }
    }

    /// <summary>Translates one sentence.</summary>
    /// <param name="source">Raw source text; empty text translates to empty text.</param>
    /// <param name="decoding">Decoding settings; default <see cref="TranslationModelInfo.Decoding"/> of the model.</param>
    /// <exception cref="ArgumentOutOfRangeException">A decoding setting is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The translator has been disposed.</exception>
    public string Translate(string? source, DecodingOptions? decoding = null) => Translate(new[] { source }, decoding)[0];

    /// <summary>Translates sentences in batches of similar length (longest first), results in input order.</summary>
    /// <param name="sources">Raw source texts; empty ones translate to empty text.</param>
    /// <param name="decoding">Decoding settings; default <see cref="TranslationModelInfo.Decoding"/> of the model.</param>
    /// <param name="batchSize">Sentences decoded together; at least 1. Default 128 (the ML.NET translator's default).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> or a decoding setting is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The translator has been disposed.</exception>
    public IReadOnlyList<string> Translate(IReadOnlyList<string?> sources, DecodingOptions? decoding = null, int batchSize = 128)
    {
        using var lease = gate.Enter();
        ArgumentNullException.ThrowIfNull(sources);
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch size must be at least 1, got {batchSize}");
        decoding = (decoding ?? text.Decoding).Validate();
        var ids = sources.Select(text.EncodeSource).ToArray();
        var result = new string[ids.Length];
        var order = Enumerable.Range(0, ids.Length).Where(i => ids[i].Length > 0).OrderByDescending(i => ids[i].Length).ToArray();
        foreach (var i in Enumerable.Range(0, ids.Length).Where(i => ids[i].Length == 0)) result[i] = "";
        foreach (var chunk in order.Chunk(batchSize))
        {
            var decoded = Decode(chunk.Select(i => ids[i]).ToArray(), decoding);
            for (int k = 0; k < chunk.Length; k++) result[chunk[k]] = text.DecodeTarget(decoded[k].Tokens);
        }
        return result;
    }

    /// <summary>Decodes one batch of encoded source sentences: greedy when the beam width is 1, else beam search.</summary>
    /// <param name="sources">N sentences of source ids in [0, source vocabulary size), each at least one id long.</param>
    /// <param name="decoding">Decoding settings; default <see cref="TranslationModelInfo.Decoding"/> of the model.</param>
    /// <returns>N decoded sentences in input order.</returns>
    /// <exception cref="ObjectDisposedException">The translator has been disposed.</exception>
    /// <exception cref="ArgumentException">No sentences, an empty sentence, or an id outside the source vocabulary (the
    /// message names sentence, position and id); a decoding setting out of range.</exception>
    public IReadOnlyList<OnnxDecodedSequence> Decode(IReadOnlyList<long[]> sources, DecodingOptions? decoding = null)
    {
        using var lease = gate.Enter();
        ArgumentNullException.ThrowIfNull(sources);
        decoding = (decoding ?? text.Decoding).Validate();
        if (sources.Count == 0)
            throw new ArgumentException("a batch needs at least one sentence, got 0", nameof(sources));
        int vocabulary = text.SourceVocabulary.Count;
        for (int i = 0; i < sources.Count; i++)
        {
            var s = sources[i] ?? throw new ArgumentNullException(nameof(sources), $"sentence {i} is null");
            if (s.Length == 0)
                throw new ArgumentException($"every sentence needs at least one source id, got an empty sentence {i}", nameof(sources));
            for (int j = 0; j < s.Length; j++)
                if (s[j] < 0 || s[j] >= vocabulary)
                    throw new ArgumentOutOfRangeException(nameof(sources), s[j], $"source ids must be between 0 and {vocabulary - 1}, got {s[j]} in sentence {i} at position {j}");
        }
        return decoding.BeamWidth == 1 ? Greedy(sources, decoding) : Beam(sources, decoding);
    }

    /// <summary>Frees ONNX Runtime's sessions, after the translations in flight on other threads have finished; new calls
    /// throw <see cref="ObjectDisposedException"/>. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (!gate.Close()) return;
        encoder.Dispose();
        decoder.Dispose();
    }

    private IReadOnlyList<OnnxDecodedSequence> Greedy(IReadOnlyList<long[]> sources, DecodingOptions decoding)
    {
        int n = sources.Count;
        using var run = Start(sources, Enumerable.Range(0, n).ToArray(), out var lengths);
        var limits = lengths.Select(decoding.MaxLength).ToArray();
        int steps = limits.Max(), v = text.TargetVocabulary.Count;
        var tokens = Enumerable.Range(0, n).Select(_ => new List<long>()).ToArray();
        var logProbability = new double[n];
        var finished = new bool[n];
        var previous = Enumerable.Repeat((long)text.BeginId, n).ToArray();
        for (int t = 0; t < steps && !finished.All(f => f); t++)
        {
            var logp = run.Step(previous);
            for (int i = 0; i < n; i++)
            {
                // The first maximum wins a tie, as torch's max.
                int best = -1;
                float bestValue = float.NegativeInfinity;
                for (int k = 0; k < v; k++)
                {
                    if (k == Vocabulary.PaddingId || k == text.BeginId) continue;
                    float x = logp[i * v + k];
                    if (best < 0 || x > bestValue) { best = k; bestValue = x; }
                }
                previous[i] = best;
                if (finished[i]) continue;
                logProbability[i] += bestValue;
                if (best == text.EndId) { finished[i] = true; continue; }
                tokens[i].Add(best);
                if (tokens[i].Count >= limits[i]) finished[i] = true;
            }
            run.Advance(null);
        }
        return Enumerable.Range(0, n).Select(i => new OnnxDecodedSequence(tokens[i].ToArray(), logProbability[i], logProbability[i])).ToArray();
    }

    private IReadOnlyList<OnnxDecodedSequence> Beam(IReadOnlyList<long[]> sources, DecodingOptions decoding)
    {
        // The search is RnnMl.Text's BeamSearch, which TorchSharp's BeamSearchDecoder drives too: same hypotheses, same ties.
        int n = sources.Count, k = decoding.BeamWidth, v = text.TargetVocabulary.Count;
        var expand = Enumerable.Range(0, n * k).Select(r => r / k).ToArray();
        using var run = Start(sources, expand, out var lengths);
        var search = BeamSearch.Start(lengths.Select(decoding.MaxLength).ToArray(), k, v, text.BeginId, text.EndId, decoding.LengthPenalty);
        int c = search.CandidatesPerRow;
        var values = new float[search.Rows * c];
        var tokens = new long[search.Rows * c];
        while (!search.Done)
        {
            var logp = run.Step(search.Previous);
            for (int r = 0; r < search.Rows; r++)
                if (search.IsLive(r))
                    BeamSearch.TopTokens(logp.AsSpan(r * v, v), text.BeginId, values.AsSpan(r * c, c), tokens.AsSpan(r * c, c));
            search.Advance(values, tokens);
            run.Advance(search.Parents);
        }
        return search.Results().Select(h => new OnnxDecodedSequence(h.Tokens, h.LogProbability, h.Score)).ToArray();
    }

    // Runs the encoder on the padded sources and lays out the decoder's constant inputs, one row per entry of rowSource.
    private DecoderRun Start(IReadOnlyList<long[]> sources, int[] rowSource, out long[] lengths)
    {
        int n = sources.Count;
        lengths = sources.Select(s => (long)s.Length).ToArray();
        long s = lengths.Max();
        var ids = new long[n * s];
        for (int i = 0; i < n; i++) Array.Copy(sources[i], 0, ids, i * s, sources[i].Length);
        using var idValue = OrtValue.CreateTensorValueFromMemory(ids, new[] { (long)n, s });
        using var lengthValue = OrtValue.CreateTensorValueFromMemory(lengths, new[] { (long)n });
        using var options = new RunOptions();
        using var outputs = encoder.Run(options, new[] { Names.Source, Names.SourceLengths }, new[] { idValue, lengthValue }, encoderOutputs);
        var byName = encoderOutputs.Select((name, i) => (name, value: outputs[i])).ToDictionary(x => x.name, x => x.value);
        int rows = rowSource.Length;
        var run = new DecoderRun(this, rows);
        run.H = SelectAxis1(byName[Names.H].GetTensorDataAsSpan<float>(), layers, n, hiddenSize, rowSource);
        if (hasC) run.C = SelectAxis1(byName[Names.C].GetTensorDataAsSpan<float>(), layers, n, hiddenSize, rowSource);
        if (hasFeed) run.Feed = new float[rows * hiddenSize];
        if (hasAttention)
        {
            var memory = byName[Names.Memory];
            long e = memory.GetTensorTypeAndShape().Shape[2];
            run.AddConstant(Names.Memory, SelectAxis1(memory.GetTensorDataAsSpan<float>(), 1, n, (int)(s * e), rowSource), new long[] { rows, s, e });
            if (hasKeys)
            {
                var keys = byName[Names.Keys];
                long q = keys.GetTensorTypeAndShape().Shape[2];
                run.AddConstant(Names.Keys, SelectAxis1(keys.GetTensorDataAsSpan<float>(), 1, n, (int)(s * q), rowSource), new long[] { rows, s, q });
            }
            var mask = byName[Names.SourceMask].GetTensorDataAsSpan<bool>();
            var expanded = new bool[rows * s];
            for (int r = 0; r < rows; r++) mask.Slice((int)(rowSource[r] * s), (int)s).CopyTo(expanded.AsSpan((int)(r * s)));
            run.AddConstant(Names.SourceMask, expanded, new long[] { rows, s });
        }
        return run;
    }

    // (A, B, C) row-major → (A, rows.Length, C) taking index rows[j] along axis 1.
    private static float[] SelectAxis1(ReadOnlySpan<float> data, int a, int b, int c, int[] rows)
    {
        var result = new float[a * rows.Length * c];
        for (int i = 0; i < a; i++)
            for (int j = 0; j < rows.Length; j++)
                data.Slice((i * b + rows[j]) * c, c).CopyTo(result.AsSpan((i * rows.Length + j) * c, c));
        return result;
    }

    private static InferenceSession Open(string path, SessionOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"no ONNX model at '{full}'", full);
        try
        {
            return options is null ? new InferenceSession(full) : new InferenceSession(full, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"'{full}': ONNX Runtime cannot load the model: {e.Message}", e);
        }
    }

    private static void Require(IEnumerable<string> present, string[] needed, string what, string path)
    {
        var set = present.ToHashSet(StringComparer.Ordinal);
        foreach (var name in needed)
            if (!set.Contains(name))
                throw new InvalidDataException($"'{Path.GetFullPath(path)}' is not an exported RnnMl translator graph: it has no {what} '{name}' (it has: {string.Join(", ", set)})");
    }

    /// <summary>The decoder's state across the steps of one batch; the encoder's outputs stay pinned as constant inputs.</summary>
    private sealed class DecoderRun : IDisposable
    {
        private readonly OnnxTranslator owner;
        private readonly int rows;
        private readonly List<OrtValue> constants = new();
        private readonly Dictionary<string, OrtValue> constantByName = new(StringComparer.Ordinal);
        private float[]? newH, newC, newFeed;

        public DecoderRun(OnnxTranslator owner, int rows)
        {
            this.owner = owner;
            this.rows = rows;
        }

        public float[] H { get; set; } = Array.Empty<float>();
        public float[]? C { get; set; }
        public float[]? Feed { get; set; }

        public void AddConstant<T>(string name, T[] data, long[] shape) where T : unmanaged
        {
            var value = OrtValue.CreateTensorValueFromMemory(data, shape);
            constants.Add(value);
            constantByName[name] = value;
        }

        /// <summary>Runs one step for every row; returns the log-probabilities (rows, V) and keeps the new state pending.</summary>
        public float[] Step(long[] previous)
        {
            int l = owner.layers, q = owner.hiddenSize;
            var owned = new List<OrtValue>();
            try
            {
                OrtValue Own(OrtValue v) { owned.Add(v); return v; }
                var inputs = owner.decoderInputs.Select(name => name switch
                {
                    Names.Previous => Own(OrtValue.CreateTensorValueFromMemory(previous, new long[] { rows })),
                    Names.H => Own(OrtValue.CreateTensorValueFromMemory(H, new long[] { l, rows, q })),
                    Names.C => Own(OrtValue.CreateTensorValueFromMemory(C!, new long[] { l, rows, q })),
                    Names.Feed => Own(OrtValue.CreateTensorValueFromMemory(Feed!, new long[] { rows, q })),
                    _ => constantByName[name],
                }).ToArray();
                using var options = new RunOptions();
                using var outputs = owner.decoder.Run(options, owner.decoderInputs, inputs, owner.decoderOutputs);
                newH = outputs[1].GetTensorDataAsSpan<float>().ToArray();
                int next = 2;
                newC = owner.hasC ? outputs[next++].GetTensorDataAsSpan<float>().ToArray() : null;
                newFeed = owner.hasFeed ? outputs[next].GetTensorDataAsSpan<float>().ToArray() : null;
                return outputs[0].GetTensorDataAsSpan<float>().ToArray();
            }
            finally
            {
                foreach (var v in owned) v.Dispose();
            }
        }

        /// <summary>Takes the last step's state, reordered so that row j continues row <paramref name="select"/>[j] (null keeps the order).</summary>
        public void Advance(int[]? select)
        {
            int l = owner.layers, q = owner.hiddenSize;
            H = select is null ? newH! : SelectAxis1(newH, l, rows, q, select);
            if (newC is not null) C = select is null ? newC : SelectAxis1(newC, l, rows, q, select);
            if (newFeed is not null) Feed = select is null ? newFeed : SelectAxis1(newFeed, 1, rows, q, select);
        }

        public void Dispose()
        {
            foreach (var v in constants) v.Dispose();
        }
    }
}
