using Microsoft.ML.OnnxRuntime;
using RnnMl.Text;
using RnnMl.Text.Export;
using Names = RnnMl.Text.Export.Seq2SeqGraphNames;

namespace RnnMl.Onnx.Internal;

/// <summary>
/// An exported translator's two ONNX Runtime sessions, checked to fit each other, with the inputs and outputs the model
/// variant has (LSTM c, input feeding, attention memory and keys) and the encoder run that starts a batch.
/// </summary>
/// <remarks>Shapes: N sentences, S source steps, L decoder layers, Q decoder hidden size, E encoder output size.</remarks>
internal sealed class TranslatorGraphs : IDisposable
{
    private const string Kind = "an exported RnnMl translator graph";
    private readonly InferenceSession encoder;
    private readonly string[] encoderOutputs;

    private TranslatorGraphs(InferenceSession encoder, InferenceSession decoder, TranslationModelInfo text, int layers, int hiddenSize)
    {
        this.encoder = encoder;
        Decoder = decoder;
        Text = text;
        Layers = layers;
        HiddenSize = hiddenSize;
        HasC = decoder.InputMetadata.ContainsKey(Names.C);
        HasFeed = decoder.InputMetadata.ContainsKey(Names.Feed);
        HasAttention = decoder.InputMetadata.ContainsKey(Names.Memory);
        HasKeys = decoder.InputMetadata.ContainsKey(Names.Keys);
        encoderOutputs = new[] { Names.H, HasC ? Names.C : null, HasAttention ? Names.Memory : null, HasKeys ? Names.Keys : null, HasAttention ? Names.SourceMask : null }
            .OfType<string>().ToArray();
        DecoderInputs = new[] { Names.Previous, Names.H, HasC ? Names.C : null, HasFeed ? Names.Feed : null, HasAttention ? Names.Memory : null, HasKeys ? Names.Keys : null, HasAttention ? Names.SourceMask : null }
            .OfType<string>().ToArray();
        DecoderOutputs = new[] { Names.LogProbabilities, Names.NewH, HasC ? Names.NewC : null, HasFeed ? Names.NewFeed : null }.OfType<string>().ToArray();
    }

    /// <summary>Opens and checks both graphs; see <c>OnnxTranslator.Load</c> for the exceptions.</summary>
    public static TranslatorGraphs Open(string encoderPath, string decoderPath, SessionOptions? options)
    {
        var encoder = OnnxSessions.Open(encoderPath, options);
        InferenceSession? decoder = null;
        try
        {
            decoder = OnnxSessions.Open(decoderPath, options);
            string where = $"'{Path.GetFullPath(encoderPath)}' and '{Path.GetFullPath(decoderPath)}'";
            OnnxSessions.Require(encoder.InputMetadata.Keys, new[] { Names.Source, Names.SourceLengths }, "encoder input", encoderPath, Kind);
            OnnxSessions.Require(encoder.OutputMetadata.Keys, new[] { Names.H }, "encoder output", encoderPath, Kind);
            OnnxSessions.Require(decoder.InputMetadata.Keys, new[] { Names.Previous, Names.H }, "decoder input", decoderPath, Kind);
            OnnxSessions.Require(decoder.OutputMetadata.Keys, new[] { Names.LogProbabilities, Names.NewH }, "decoder output", decoderPath, Kind);
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
            var text = OnnxSessions.ReadMetadata(encoder, encoderPath, TranslationModelInfo.FromMetadata);
            var v = decoder.OutputMetadata[Names.LogProbabilities].Dimensions;
            if (v.Length != 2 || v[1] != text.TargetVocabulary.Count)
                throw new InvalidDataException($"{where} are inconsistent: output '{Names.LogProbabilities}' must be (N, {text.TargetVocabulary.Count}) for the target vocabulary, got [{string.Join(", ", v)}]");
            return new TranslatorGraphs(encoder, decoder, text, h[0], h[2]);
        }
        catch
        {
            decoder?.Dispose();
            encoder.Dispose();
            throw;
        }
    }

    public TranslationModelInfo Text { get; }
    public InferenceSession Decoder { get; }
    public int Layers { get; }
    public int HiddenSize { get; }
    public bool HasC { get; }
    public bool HasFeed { get; }
    public bool HasAttention { get; }
    public bool HasKeys { get; }
    public string[] DecoderInputs { get; }
    public string[] DecoderOutputs { get; }

    /// <summary>
    /// Runs the encoder on the padded sources and lays out the decoder's inputs, one row per entry of
    /// <paramref name="rowSource"/> (row j decodes sentence rowSource[j]: the identity for greedy, each sentence K times
    /// for beam search).
    /// </summary>
    /// <param name="sources">N non-empty sentences of source ids.</param>
    /// <param name="rowSource">For each decoder row, its sentence.</param>
    /// <param name="lengths">S per sentence.</param>
    public DecoderRun Start(IReadOnlyList<long[]> sources, int[] rowSource, out long[] lengths)
    {
        var padded = PaddedBatch.Pad(sources);
        int n = padded.Count;
        long s = padded.Steps;
        lengths = padded.Lengths;
        using var idValue = OrtValue.CreateTensorValueFromMemory(padded.Ids, padded.Shape);
        using var lengthValue = OrtValue.CreateTensorValueFromMemory(lengths, new[] { (long)n });
        using var options = new RunOptions();
        using var outputs = encoder.Run(options, new[] { Names.Source, Names.SourceLengths }, new[] { idValue, lengthValue }, encoderOutputs);
        var byName = encoderOutputs.Select((name, i) => (name, value: outputs[i])).ToDictionary(x => x.name, x => x.value);
        int rows = rowSource.Length;
        var run = new DecoderRun(this, rowSource);
        run.H = DecoderRun.SelectAxis1(byName[Names.H].GetTensorDataAsSpan<float>(), Layers, n, HiddenSize, rowSource);
        if (HasC) run.C = DecoderRun.SelectAxis1(byName[Names.C].GetTensorDataAsSpan<float>(), Layers, n, HiddenSize, rowSource);
        if (HasFeed) run.Feed = new float[rows * HiddenSize];
        if (HasAttention)
        {
            var memory = byName[Names.Memory];
            long e = memory.GetTensorTypeAndShape().Shape[2];
            run.AddConstant(Names.Memory, DecoderRun.SelectAxis1(memory.GetTensorDataAsSpan<float>(), 1, n, (int)(s * e), rowSource), new long[] { rows, s, e });
            if (HasKeys)
            {
                var keys = byName[Names.Keys];
                long q = keys.GetTensorTypeAndShape().Shape[2];
                run.AddConstant(Names.Keys, DecoderRun.SelectAxis1(keys.GetTensorDataAsSpan<float>(), 1, n, (int)(s * q), rowSource), new long[] { rows, s, q });
            }
            var mask = byName[Names.SourceMask].GetTensorDataAsSpan<bool>();
            var expanded = new bool[rows * s];
            for (int r = 0; r < rows; r++) mask.Slice((int)(rowSource[r] * s), (int)s).CopyTo(expanded.AsSpan((int)(r * s)));
            run.AddConstant(Names.SourceMask, expanded, new long[] { rows, s });
        }
        return run;
    }

    public void Dispose()
    {
        encoder.Dispose();
        Decoder.Dispose();
    }
}
