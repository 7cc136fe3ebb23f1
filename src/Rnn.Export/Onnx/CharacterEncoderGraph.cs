using static TorchSharp.torch;

namespace RnnMl.Export.Onnx;

/// <summary>Writes a <see cref="CharacterWordEncoder"/> as ONNX nodes: the features of each distinct word of a batch.</summary>
/// <remarks>
/// words (W, C) int64 → length ℓ = count of non-padding ids, at least 1 (as in the TorchSharp model). BiLSTM: Transpose
/// (C, W) → Gather (C, W, Ec) → one bidirectional LSTM node with sequence_lens = ℓ → final h (2, W, Hc) → (W, 2·Hc),
/// forward state first. CNN: Gather (W, C, Ec) → Transpose (W, Ec, C) → Conv (width 3, pads 1) (W, F, C) → −∞ where the
/// position is ≥ ℓ → ReduceMax over C → (W, F).
/// </remarks>
internal static class CharacterEncoderGraph
{
    public static string Build(OnnxGraph g, CharacterWordEncoder encoder, IReadOnlyDictionary<string, Tensor> p, string words)
    {
        var present = g.Node("Cast", "characters_present", new[] { g.Node("Not", "characters_padding_not", new[] { g.Node("Equal", "characters_padding", new[] { words, g.Scalar("zero", 0L) }) }) },
            OnnxGraph.Attr("to", (long)DataType.Int64));
        var counts = g.Node("ReduceSum", "characters_count", new[] { present, g.Vector("axis1", 1) }, OnnxGraph.Attr("keepdims", 0L));
        var lengths = g.Node("Max", "characters_count_min1", new[] { counts, g.Scalar("one", 1L) });
        if (encoder.Encoder is { } lstm)
        {
            var charLengths = g.Node("Cast", "characters_sequence_lens", new[] { lengths }, OnnxGraph.Attr("to", (long)DataType.Int32));
            var timeMajor = g.Node("Transpose", "characters_cw", new[] { words }, OnnxGraph.Attr("perm", new long[] { 1, 0 }));
            var embedded = OnnxLayers.Embedding(g, "characters.embedding", p["characters.embedding.weight"], timeMajor);
            var encoded = OnnxLayers.Recurrent(g, "characters.encoder", lstm, embedded, charLengths);
            // Final h (2, W, Hc) → (W, 2, Hc) → (W, 2·Hc): forward state first, as the TorchSharp model.
            var perWord = g.Node("Transpose", "characters_w2h", new[] { encoded.FinalH[0] }, OnnxGraph.Attr("perm", new long[] { 1, 0, 2 }));
            return g.Node("Reshape", "characters_features", new[] { perWord, g.Vector("characters_feature_shape", 0, 2L * lstm.HiddenSize) });
        }
        var embeddedChars = OnnxLayers.Embedding(g, "characters.embedding", p["characters.embedding.weight"], words);   // (W, C, Ec)
        var channels = g.Node("Transpose", "characters_wec", new[] { embeddedChars }, OnnxGraph.Attr("perm", new long[] { 0, 2, 1 }));
        var convolved = g.Node("Conv", "characters_conv", new[] { channels, Floats(g, "characters.convolution.weight", p), Floats(g, "characters.convolution.bias", p) },
            OnnxGraph.Attr("kernel_shape", new long[] { CharacterWordEncoder.Window }), OnnxGraph.Attr("pads", new long[] { CharacterWordEncoder.Window / 2, CharacterWordEncoder.Window / 2 }));
        // Positions 0 … C−1 (C from the input's shape) compared with each word's length: (W, 1, C), true outside the word.
        var width = g.Node("Gather", "characters_width", new[] { g.Node("Shape", "characters_shape", new[] { words }), g.Scalar("index1", 1L) }, OnnxGraph.Attr("axis", 0L));
        var positions = g.Node("Range", "characters_positions", new[] { g.Scalar("zero", 0L), width, g.Scalar("one", 1L) });
        var outside = g.Node("Unsqueeze", "characters_outside", new[] { g.Node("GreaterOrEqual", "characters_outside_wc", new[] { positions, g.Node("Unsqueeze", "characters_lengths_w1", new[] { lengths, g.Vector("axis1", 1) }) }), g.Vector("axis1", 1) });
        var masked = g.Node("Where", "characters_masked", new[] { outside, g.Scalar("minus_infinity", float.NegativeInfinity), convolved });
        return g.Node("ReduceMax", "characters_features", new[] { masked }, OnnxGraph.Attr("axes", new long[] { 2 }), OnnxGraph.Attr("keepdims", 0L));
    }

    private static string Floats(OnnxGraph g, string name, IReadOnlyDictionary<string, Tensor> p) => g.Floats(name, OnnxLayers.Values(p[name]), p[name].shape);
}
