namespace RnnMl.Export.Onnx;

/// <summary>Writes a <see cref="SequenceClassifier"/> or the members of a <see cref="SequenceClassifierEnsemble"/> (in
/// evaluation mode: no dropout) as an ONNX graph.</summary>
/// <remarks>
/// tokens (N, T) → Transpose (T, N) → Gather (T, N, E) → one recurrent node per layer with sequence_lens = lengths as
/// int32 → (T, N, D·H) → pooling over valid steps (mask from lengths, exactly as the TorchSharp model) → Gemm → scores
/// (N, C) → Softmax → probabilities (N, C). The whole graph is time-major, so no float tensor is transposed except
/// between stacked bidirectional layers.
/// </remarks>
internal static class ClassifierGraph
{
    /// <summary>One member: its logits are <c>scores</c>. Several: each member's logits → LogSoftmax, stacked (K, N, C) →
    /// ReduceLogSumExp over K − log K = <c>scores</c>, whose softmax is the members' mean probability, as
    /// <see cref="SequenceClassifierEnsemble.forward"/>.</summary>
    public static ModelProto Build(IReadOnlyList<SequenceClassifier> members, TextModelInfo? text)
    {
        var o = members[0].Options;
        var g = new OnnxGraph("rnnml_sequence_classifier");
        var tokens = g.Input(ClassifierGraphNames.Tokens, DataType.Int64, "N", "T");
        var lengths = g.Input(ClassifierGraphNames.Lengths, DataType.Int64, "N");
        var timeMajor = g.Node("Transpose", "tokens_tn", new[] { tokens }, OnnxGraph.Attr("perm", new long[] { 1, 0 }));
        var sequenceLengths = g.Node("Cast", "sequence_lens", new[] { lengths }, OnnxGraph.Attr("to", (long)DataType.Int32));
        // (T, N, 1), true at valid steps, like the model's own mask.
        var valid = g.Node("Unsqueeze", "valid_tn1", new[] { OnnxLayers.ValidSteps(g, lengths, tokens, timeAxis: 1), g.Vector("axis2", 2) });

        string logits;
        if (members.Count == 1)
            logits = Logits(g, members[0], timeMajor, sequenceLengths, valid, lengths, ClassifierGraphNames.Scores);
        else
        {
            // OnnxGraph gives each member's values and weights their own names (embedding, embedding_1, ...).
            var stacked = members.Select(m => g.Node("Unsqueeze", "member_log_probabilities", new[]
            {
                g.Node("LogSoftmax", "member_log_softmax", new[] { Logits(g, m, timeMajor, sequenceLengths, valid, lengths, null) }, OnnxGraph.Attr("axis", 1L)),
                g.Vector("axis0", 0),
            })).ToArray();
            var all = g.Node("Concat", "members_log_probabilities", stacked, OnnxGraph.Attr("axis", 0L));
            var sum = g.Node("ReduceLogSumExp", "members_log_sum", new[] { all }, OnnxGraph.Attr("axes", new long[] { 0 }), OnnxGraph.Attr("keepdims", 0L));
            logits = g.NodeNamed("Sub", ClassifierGraphNames.Scores, new[] { sum, g.Scalar("log_member_count", (float)Math.Log(members.Count)) });
        }
        g.NodeNamed("Softmax", ClassifierGraphNames.Probabilities, new[] { logits }, OnnxGraph.Attr("axis", 1L));
        g.Output(ClassifierGraphNames.Scores, DataType.Float, "N", (long)o.ClassCount);
        g.Output(ClassifierGraphNames.Probabilities, DataType.Float, "N", (long)o.ClassCount);

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["rnnml.model"] = $"SequenceClassifier cell={o.Cell} layers={o.NumLayers} bidirectional={o.Bidirectional} pooling={o.Pooling} hidden={o.HiddenSize} embedding={o.EmbeddingSize} vocabulary={o.VocabularySize} classes={o.ClassCount}"
                + (members.Count > 1 ? $" members={members.Count}" : ""),
        };
        if (text is not null)
            foreach (var (key, value) in text.ToMetadata()) metadata[key] = value;
        return g.ToModel(metadata,
            $"RnnMl sequence classifier{(members.Count > 1 ? $" (an ensemble of {members.Count})" : "")}. Inputs: {ClassifierGraphNames.Tokens} (N, T) int64 padded with 0, {ClassifierGraphNames.Lengths} (N) int64 in [1, T]. " +
            $"Outputs: {ClassifierGraphNames.Scores} (N, C) {(members.Count > 1 ? "log of the members' mean probabilities" : "logits")}, {ClassifierGraphNames.Probabilities} (N, C) softmax.");
    }

    // One classifier's logits (N, C); named exactly `name` when given (a graph output), else a fresh name.
    private static string Logits(OnnxGraph g, SequenceClassifier model, string timeMajor, string sequenceLengths, string valid, string lengths, string? name)
    {
        var embedded = OnnxLayers.Embedding(g, "embedding", model.Embedding.weight!, timeMajor);
        var encoded = OnnxLayers.Recurrent(g, "encoder", model.Encoder, embedded, sequenceLengths);
        var y = encoded.Output;
        var pooled = OnnxPooling.Pool(g, model.Options.Pooling, encoded, model.Encoder.Directions, valid, lengths, () =>
        {
            var hidden = g.Node("Tanh", "attention_tanh", new[] { OnnxLayers.Linear(g, "attention_hidden", model.AttentionHidden!, y) });
            var scores = OnnxLayers.Linear(g, "attention_score", model.AttentionScore!, hidden);
            var masked = g.Node("Where", "attention_masked", new[] { valid, scores, g.Scalar("minus_infinity", float.NegativeInfinity) });
            var weights = g.Node("Softmax", "attention_weights", new[] { masked }, OnnxGraph.Attr("axis", 0L));
            return g.Node("ReduceSum", "attention_pooled", new[] { g.Node("Mul", "attention_weighted", new[] { weights, y }), g.Vector("axis0", 0) }, OnnxGraph.Attr("keepdims", 0L));
        });
        return OnnxLayers.Gemm(g, "output", model.Output, pooled, name);
    }
}
