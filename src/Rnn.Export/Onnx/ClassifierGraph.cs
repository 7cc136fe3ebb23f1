namespace RnnMl.Export.Onnx;

/// <summary>Writes a <see cref="SequenceClassifier"/> (in evaluation mode: no dropout) as an ONNX graph.</summary>
/// <remarks>
/// tokens (N, T) → Transpose (T, N) → Gather (T, N, E) → one recurrent node per layer with sequence_lens = lengths as
/// int32 → (T, N, D·H) → pooling over valid steps (mask from lengths, exactly as the TorchSharp model) → Gemm → scores
/// (N, C) → Softmax → probabilities (N, C). The whole graph is time-major, so no float tensor is transposed except
/// between stacked bidirectional layers.
/// </remarks>
internal static class ClassifierGraph
{
    public static ModelProto Build(SequenceClassifier model, TextModelInfo? text)
    {
        var o = model.Options;
        var g = new OnnxGraph("rnnml_sequence_classifier");
        var tokens = g.Input(ClassifierGraphNames.Tokens, DataType.Int64, "N", "T");
        var lengths = g.Input(ClassifierGraphNames.Lengths, DataType.Int64, "N");

        var timeMajor = g.Node("Transpose", "tokens_tn", new[] { tokens }, OnnxGraph.Attr("perm", new long[] { 1, 0 }));
        var embedded = OnnxLayers.Embedding(g, "embedding", model.Embedding.weight!, timeMajor);
        var sequenceLengths = g.Node("Cast", "sequence_lens", new[] { lengths }, OnnxGraph.Attr("to", (long)DataType.Int32));
        var encoded = OnnxLayers.Recurrent(g, "encoder", model.Encoder, embedded, sequenceLengths);
        var y = encoded.Output;

        // (T, N, 1), true at valid steps, like the model's own mask.
        var valid = g.Node("Unsqueeze", "valid_tn1", new[] { OnnxLayers.ValidSteps(g, lengths, tokens, timeAxis: 1), g.Vector("axis2", 2) });
        string Mean()
        {
            var validF = g.Node("Cast", "valid_float", new[] { valid }, OnnxGraph.Attr("to", (long)DataType.Float));
            var sum = g.Node("ReduceSum", "sum_over_time", new[] { g.Node("Mul", "masked_output", new[] { y, validF }), g.Vector("axis0", 0) }, OnnxGraph.Attr("keepdims", 0L));
            var count = g.Node("Unsqueeze", "length_column", new[] { g.Node("Cast", "lengths_float", new[] { lengths }, OnnxGraph.Attr("to", (long)DataType.Float)), g.Vector("axis1", 1) });
            return g.Node("Div", "mean_pooled", new[] { sum, count });
        }
        string Max()
        {
            var masked = g.Node("Where", "max_masked", new[] { valid, y, g.Scalar("minus_infinity", float.NegativeInfinity) });
            return g.Node("ReduceMax", "max_pooled", new[] { masked }, OnnxGraph.Attr("axes", new long[] { 0 }), OnnxGraph.Attr("keepdims", 0L));
        }

        string pooled;
        switch (o.Pooling)
        {
            case PoolingKind.Last:
            {
                var top = encoded.FinalH[^1];
                pooled = model.Encoder.Directions == 1
                    ? g.Node("Squeeze", "last_pooled", new[] { top, g.Vector("axis0", 0) })
                    : g.Node("Reshape", "last_pooled", new[]
                    {
                        g.Node("Transpose", "last_ndh", new[] { top }, OnnxGraph.Attr("perm", new long[] { 1, 0, 2 })),
                        g.Vector("shape_0_m1", 0, -1),
                    });
                break;
            }
            case PoolingKind.Mean:
                pooled = Mean();
                break;
            case PoolingKind.Max:
                pooled = Max();
                break;
            case PoolingKind.MeanMax:
                pooled = g.Node("Concat", "meanmax_pooled", new[] { Mean(), Max() }, OnnxGraph.Attr("axis", 1L));
                break;
            default:
            {
                var hidden = g.Node("Tanh", "attention_tanh", new[] { OnnxLayers.Linear(g, "attention_hidden", model.AttentionHidden!, y) });
                var scores = OnnxLayers.Linear(g, "attention_score", model.AttentionScore!, hidden);
                var masked = g.Node("Where", "attention_masked", new[] { valid, scores, g.Scalar("minus_infinity", float.NegativeInfinity) });
                var weights = g.Node("Softmax", "attention_weights", new[] { masked }, OnnxGraph.Attr("axis", 0L));
                pooled = g.Node("ReduceSum", "attention_pooled", new[] { g.Node("Mul", "attention_weighted", new[] { weights, y }), g.Vector("axis0", 0) }, OnnxGraph.Attr("keepdims", 0L));
                break;
            }
        }

        var logits = OnnxLayers.Gemm(g, "output", model.Output, pooled, ClassifierGraphNames.Scores);
        g.NodeNamed("Softmax", ClassifierGraphNames.Probabilities, new[] { logits }, OnnxGraph.Attr("axis", 1L));
        g.Output(ClassifierGraphNames.Scores, DataType.Float, "N", (long)o.ClassCount);
        g.Output(ClassifierGraphNames.Probabilities, DataType.Float, "N", (long)o.ClassCount);

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["rnnml.model"] = $"SequenceClassifier cell={o.Cell} layers={o.NumLayers} bidirectional={o.Bidirectional} pooling={o.Pooling} hidden={o.HiddenSize} embedding={o.EmbeddingSize} vocabulary={o.VocabularySize} classes={o.ClassCount}",
        };
        if (text is not null)
            foreach (var (key, value) in text.ToMetadata()) metadata[key] = value;
        return g.ToModel(metadata,
            $"RnnMl sequence classifier. Inputs: {ClassifierGraphNames.Tokens} (N, T) int64 padded with 0, {ClassifierGraphNames.Lengths} (N) int64 in [1, T]. " +
            $"Outputs: {ClassifierGraphNames.Scores} (N, C) logits, {ClassifierGraphNames.Probabilities} (N, C) softmax.");
    }
}
