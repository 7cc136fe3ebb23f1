using Microsoft.ML.OnnxRuntime;
using RnnMl.Export;
using RnnMl.Text;
using RnnMl.Text.Decoding;
using RnnMl.Text.Export;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using static TorchSharp.torch;

namespace RnnMl.Onnx.Tests.Support;

/// <summary>Tiny translators, a variable-length source batch, their exported graphs and ONNX Runtime sessions.</summary>
internal static class Seq2SeqOnnxSupport
{
    public const int SourceVocabularySize = 11;
    public const int TargetVocabularySize = 13;

    /// <summary>Source sentences of lengths 4, 1, 3 and 2 (padded to S = 4 in a batch).</summary>
    public static readonly long[][] Sources =
    {
        new long[] { 2, 3, 4, 5 },
        new long[] { 7 },
        new long[] { 8, 9, 10 },
        new long[] { 6, 1 },
    };

    public static Seq2SeqModel Model(RecurrentCellKind encoderCell, RecurrentCellKind decoderCell, AttentionKind attention,
        bool bidirectional = true, int layers = 1, bool inputFeeding = false, int seed = 5, bool tie = false, int embedding = 6)
    {
        manual_seed(seed);
        var model = Seq2SeqModel.Create(new Seq2SeqOptions
        {
            SourceVocabularySize = SourceVocabularySize,
            TargetVocabularySize = TargetVocabularySize,
            EmbeddingSize = embedding,
            HiddenSize = 5,
            EncoderLayers = layers,
            DecoderLayers = layers,
            Bidirectional = bidirectional,
            EncoderCell = encoderCell,
            DecoderCell = decoderCell,
            Attention = attention,
            InputFeeding = inputFeeding,
            Dropout = 0.2,
            TieEmbeddings = tie,
        });
        model.eval();
        return model;
    }

    /// <summary>Word vocabularies of the model's sizes ("s2".."s10", "t4".."t12") and the default tokenizers.</summary>
    public static TranslationModelInfo TextInfo(DecodingOptions? decoding = null)
    {
        var source = Vocabulary.FromTokens(new[] { Vocabulary.PaddingToken, Vocabulary.UnknownToken }.Concat(Enumerable.Range(2, SourceVocabularySize - 2).Select(i => $"s{i}")).ToArray());
        var target = Vocabulary.FromTokens(new[] { Vocabulary.PaddingToken, Vocabulary.UnknownToken, Seq2SeqOptions.BeginToken, Seq2SeqOptions.EndToken }
            .Concat(Enumerable.Range(4, TargetVocabularySize - 4).Select(i => $"t{i}")).ToArray());
        return new TranslationModelInfo(Tokenizer.Create(), source, Tokenizer.Create(), target, decoding: decoding);
    }

    public static (byte[] Encoder, byte[] Decoder) ExportBytes(Seq2SeqModel model, TranslationModelInfo? text = null)
    {
        using var encoder = new MemoryStream();
        using var decoder = new MemoryStream();
        OnnxExporter.Export(model, encoder, decoder, text);
        return (encoder.ToArray(), decoder.ToArray());
    }

    /// <summary>Session options with ONNX Runtime's strict shape and type inference, so a graph whose declared shapes or
    /// types do not fit is refused at load time.</summary>
    public static SessionOptions StrictOptions()
    {
        var options = new SessionOptions();
        options.AddSessionConfigEntry("session.strict_shape_type_inference", "1");
        return options;
    }

    /// <summary>Exports into a fresh temporary folder and loads an <see cref="OnnxTranslator"/> with strict inference.</summary>
    public static OnnxTranslator ExportAndLoad(Seq2SeqModel model, TranslationModelInfo text, string folder)
    {
        OnnxExporter.Export(model, folder, text);
        using var options = StrictOptions();
        return OnnxTranslator.Load(folder, options);
    }

    public static string TempFolder() => Path.Combine(Path.GetTempPath(), "rnnml-onnx-seq2seq-" + Guid.NewGuid().ToString("N"));

    /// <summary>Runs a session on named inputs; returns every named output as (float data or bool data as 0/1, shape).</summary>
    public static Dictionary<string, (float[] Data, long[] Shape)> Run(InferenceSession session, IReadOnlyDictionary<string, OrtValue> inputs, IEnumerable<string> outputs)
    {
        var names = outputs.ToArray();
        using var run = new RunOptions();
        using var results = session.Run(run, inputs.Keys.ToArray(), inputs.Values.ToArray(), names);
        var map = new Dictionary<string, (float[], long[])>();
        for (int i = 0; i < names.Length; i++)
        {
            var info = results[i].GetTensorTypeAndShape();
            float[] data = info.ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Bool
                ? results[i].GetTensorDataAsSpan<bool>().ToArray().Select(b => b ? 1f : 0f).ToArray()
                : results[i].GetTensorDataAsSpan<float>().ToArray();
            map[names[i]] = (data, info.Shape);
        }
        return map;
    }

    public static float[] Floats(Tensor t)
    {
        using var c = t.detach().to(ScalarType.Float32).cpu().contiguous();
        return c.data<float>().ToArray();
    }

    public static void AssertClose(float[] expected, float[] actual, string what, double tolerance = 1e-4)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(expected[i] - actual[i]);
            Assert.True(diff <= tolerance || (float.IsNegativeInfinity(expected[i]) && float.IsNegativeInfinity(actual[i])),
                $"{what}[{i}]: expected {expected[i]}, got {actual[i]} (|diff| {diff:E2} > {tolerance:E0})");
        }
    }
}
