using Microsoft.ML.OnnxRuntime;
using RnnMl.Onnx.Internal;
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
/// runs all sentences and beams as one batch of their live hypotheses (at most N·K rows; fewer once pruning, e.g. the
/// default <see cref="DecodingOptions.RelativeThreshold"/>, drops some) with <see cref="BeamSearch"/> (RnnMl.Text), the
/// bookkeeping TorchSharp's <c>BeamSearchDecoder</c> uses too: ended hypotheses ranked by log-probability / length^α.
/// Padding and the begin token are never produced. Where the work is done: loading and checking the graphs and the
/// encoder run in <c>TranslatorGraphs</c>, the decoder's state across steps in <c>DecoderRun</c>, greedy and beam search
/// in <c>TranslatorSearch</c>.
/// </remarks>
/// <example>
/// <code>
/// using var translator = OnnxTranslator.Load("translation-onnx");
/// string one = translator.Translate("I am a student.");                        // the exported decoding defaults
/// var greedy = translator.Translate(sentences, new DecodingOptions { BeamWidth = 1 }, batchSize: 64);
/// </code>
/// </example>
public sealed class OnnxTranslator : IDisposable
{
    private readonly TranslatorGraphs graphs;
    private readonly UsageGate gate = new(nameof(OnnxTranslator));
    private readonly TranslationModelInfo text;

    private OnnxTranslator(TranslatorGraphs graphs)
    {
        this.graphs = graphs;
        text = graphs.Text;
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
    public static OnnxTranslator Load(string encoderPath, string decoderPath, SessionOptions? options = null) =>
        new(TranslatorGraphs.Open(encoderPath, decoderPath, options));

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
        get { gate.ThrowIfClosed(); return graphs.Layers; }
    }

    /// <summary>Q, the decoder's hidden size.</summary>
    /// <exception cref="ObjectDisposedException">The translator has been disposed.</exception>
    public int HiddenSize
    {
        get { gate.ThrowIfClosed(); return graphs.HiddenSize; }
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
        return decoding.BeamWidth == 1 ? TranslatorSearch.Greedy(graphs, sources, decoding) : TranslatorSearch.Beam(graphs, sources, decoding);
    }

    /// <summary>Frees ONNX Runtime's sessions, after the translations in flight on other threads have finished; new calls
    /// throw <see cref="ObjectDisposedException"/>. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (gate.Close()) graphs.Dispose();
    }
}
