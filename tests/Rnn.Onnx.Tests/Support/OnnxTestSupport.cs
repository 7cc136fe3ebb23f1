using Microsoft.ML.OnnxRuntime;
using RnnMl.Export;
using RnnMl.Text.Export;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using static TorchSharp.torch;

namespace RnnMl.Onnx.Tests.Support;

/// <summary>Tiny classifiers, a variable-length batch, and both runtimes' scores for it.</summary>
internal static class OnnxTestSupport
{
    public const int VocabularySize = 23;

    /// <summary>A variable-length batch with padding: lengths 5, 1, 3, 4 in T = 5.</summary>
    public static readonly long[][] Batch =
    {
        new long[] { 2, 7, 9, 4, 22 },
        new long[] { 5 },
        new long[] { 3, 1, 17 },
        new long[] { 11, 12, 0, 8 },
    };

    public static SequenceClassifier Model(RecurrentCellKind cell, int layers, bool bidirectional, PoolingKind pooling = PoolingKind.MeanMax, int seed = 3)
    {
        manual_seed(seed);
        var model = SequenceClassifier.Create(new SequenceClassifierOptions
        {
            VocabularySize = VocabularySize, ClassCount = 3, EmbeddingSize = 6, HiddenSize = 5, NumLayers = layers,
            Bidirectional = bidirectional, Cell = cell, Pooling = pooling, Dropout = 0.2,
        });
        model.eval();
        return model;
    }

    /// <summary>TorchSharp's logits (N, C) for <paramref name="sequences"/>, as rows.</summary>
    public static float[][] TorchScores(SequenceClassifier model, IReadOnlyList<long[]> sequences) => TorchScores(model.forward, sequences);

    /// <summary>An ensemble's scores (N, C) (the log of its members' mean probabilities), as rows.</summary>
    public static float[][] TorchScores(SequenceClassifierEnsemble ensemble, IReadOnlyList<long[]> sequences) => TorchScores(ensemble.forward, sequences);

    private static float[][] TorchScores(Func<Tensor, Tensor, Tensor> forward, IReadOnlyList<long[]> sequences)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (tokens, lengths) = RnnMl.Torch.Text.TokenBatch.Pad(sequences);
        var logits = forward(tokens, lengths);
        int c = (int)logits.shape[1];
        var flat = logits.data<float>().ToArray();
        return Enumerable.Range(0, sequences.Count).Select(i => flat.AsSpan(i * c, c).ToArray()).ToArray();
    }

    /// <summary>ONNX Runtime's (scores, probabilities) for the exported bytes of a model; a model it refuses throws
    /// (loaded with strict shape and type inference, so a declared shape or type that does not fit fails too).</summary>
    /// <summary>Runs the exported graph on the sequences, padded to the longest with <paramref name="padWith"/>.</summary>
    public static (float[][] Scores, float[][] Probabilities) OnnxScores(byte[] onnx, IReadOnlyList<long[]> sequences, long padWith = 0)
    {
        using var options = new SessionOptions();
        options.AddSessionConfigEntry("session.strict_shape_type_inference", "1");
        using var session = new InferenceSession(onnx, options);
        int n = sequences.Count;
        long t = sequences.Max(s => Math.Max(1, s.Length));
        var tokens = Enumerable.Repeat(padWith, (int)(n * t)).ToArray();
        var lengths = new long[n];
        for (int i = 0; i < n; i++)
        {
            Array.Copy(sequences[i], 0, tokens, i * t, sequences[i].Length);
            lengths[i] = Math.Max(1, sequences[i].Length);
        }
        using var tokenValue = OrtValue.CreateTensorValueFromMemory(tokens, new[] { (long)n, t });
        using var lengthValue = OrtValue.CreateTensorValueFromMemory(lengths, new[] { (long)n });
        using var run = new RunOptions();
        using var outputs = session.Run(run, new[] { ClassifierGraphNames.Tokens, ClassifierGraphNames.Lengths }, new[] { tokenValue, lengthValue },
            new[] { ClassifierGraphNames.Scores, ClassifierGraphNames.Probabilities });
        return (Rows(outputs[0], n), Rows(outputs[1], n));
    }

    public static byte[] ExportBytes(SequenceClassifier model, TextModelInfo? text = null)
    {
        using var stream = new MemoryStream();
        OnnxExporter.Export(model, stream, text);
        return stream.ToArray();
    }

    public static void AssertClose(float[][] expected, float[][] actual, double tolerance = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Length, actual[i].Length);
            for (int k = 0; k < expected[i].Length; k++)
            {
                double diff = Math.Abs(expected[i][k] - actual[i][k]);
                Assert.True(diff <= tolerance, $"row {i}, class {k}: expected {expected[i][k]}, got {actual[i][k]} (|diff| {diff:E2} > {tolerance:E0})");
            }
        }
    }

    public static float[][] Softmax(float[][] rows) => rows.Select(r =>
    {
        float max = r.Max();
        var e = r.Select(x => MathF.Exp(x - max)).ToArray();
        float sum = e.Sum();
        return e.Select(x => x / sum).ToArray();
    }).ToArray();

    private static float[][] Rows(OrtValue value, int n)
    {
        var flat = value.GetTensorDataAsSpan<float>().ToArray();
        int c = flat.Length / n;
        return Enumerable.Range(0, n).Select(i => flat.AsSpan(i * c, c).ToArray()).ToArray();
    }
}
