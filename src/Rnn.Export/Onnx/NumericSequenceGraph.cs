namespace RnnMl.Export.Onnx;

/// <summary>Writes a <see cref="NumericSequenceModel"/> (in evaluation mode: no dropout) as one ONNX graph.</summary>
/// <remarks>
/// values (N, T, F) → [(x − μ_f)/σ_f] → Where(valid, ·, 0) (padded steps zeroed, as the model does) → Transpose
/// (T, N, F) → MatMul + Add (T, N, E) → one recurrent node per layer with sequence_lens = lengths as int32 → pooling over
/// valid steps (<see cref="OnnxPooling"/>) → Gemm (N, K) → regression: [·σ_y + μ_y] → scores; classification: scores
/// (logits) and Softmax → probabilities.
/// </remarks>
internal static class NumericSequenceGraph
{
    public static ModelProto Build(NumericSequenceModel model, NumericSequenceModelInfo info)
    {
        var o = model.Options;
        bool classification = o.Head == NumericSequenceHead.Classification;
        var g = new OnnxGraph("rnnml_numeric_sequence_model");
        var values = g.Input(NumericSequenceGraphNames.Values, DataType.Float, "N", "T", (long)o.FeaturesPerStep);
        var lengths = g.Input(NumericSequenceGraphNames.Lengths, DataType.Int64, "N");

        var x = values;
        if (info.FeatureMeans is { } means)
        {
            var mu = g.Floats("feature_means", means.Select(v => (float)v).ToArray(), means.Count);
            var sigma = g.Floats("feature_stds", info.FeatureStds!.Select(v => (float)v).ToArray(), means.Count);
            x = g.Node("Div", "values_standardised", new[] { g.Node("Sub", "values_centred", new[] { x, mu }), sigma });
        }
        var validTn = OnnxLayers.ValidSteps(g, lengths, values, timeAxis: 1);
        var validNt1 = g.Node("Unsqueeze", "valid_nt1", new[] { g.Node("Transpose", "valid_nt", new[] { validTn }, OnnxGraph.Attr("perm", new long[] { 1, 0 })), g.Vector("axis2", 2) });
        x = g.Node("Where", "values_masked", new[] { validNt1, x, g.Scalar("zero_float", 0f) });
        var timeMajor = g.Node("Transpose", "values_tnf", new[] { x }, OnnxGraph.Attr("perm", new long[] { 1, 0, 2 }));
        var projected = OnnxLayers.Linear(g, "projection", model.Projection, timeMajor);
        var sequenceLengths = g.Node("Cast", "sequence_lens", new[] { lengths }, OnnxGraph.Attr("to", (long)DataType.Int32));
        var encoded = OnnxLayers.Recurrent(g, "encoder", model.Encoder, projected, sequenceLengths);
        var valid = g.Node("Unsqueeze", "valid_tn1", new[] { validTn, g.Vector("axis2", 2) });
        var pooled = OnnxPooling.Pool(g, o.Pooling, encoded, model.Encoder.Directions, valid, lengths);

        if (classification)
        {
            var logits = OnnxLayers.Gemm(g, "output", model.Output, pooled, NumericSequenceGraphNames.Scores);
            g.NodeNamed("Softmax", NumericSequenceGraphNames.Probabilities, new[] { logits }, OnnxGraph.Attr("axis", 1L));
        }
        else
        {
            var y = OnnxLayers.Gemm(g, "output", model.Output, pooled);
            var scaled = g.Node("Mul", "scores_scaled", new[] { y, g.Scalar("label_std", (float)info.LabelStd) });
            g.NodeNamed("Add", NumericSequenceGraphNames.Scores, new[] { scaled, g.Scalar("label_mean", (float)info.LabelMean) });
        }
        g.Output(NumericSequenceGraphNames.Scores, DataType.Float, "N", (long)o.Outputs);
        if (classification) g.Output(NumericSequenceGraphNames.Probabilities, DataType.Float, "N", (long)o.Outputs);

        var metadata = new Dictionary<string, string>(info.ToMetadata(), StringComparer.Ordinal)
        {
            ["rnnml.model"] = $"NumericSequenceModel head={o.Head} cell={o.Cell} layers={o.NumLayers} bidirectional={o.Bidirectional} pooling={o.Pooling} hidden={o.HiddenSize} projection={o.ProjectionSize} features={o.FeaturesPerStep} outputs={o.Outputs}",
        };
        return g.ToModel(metadata,
            $"RnnMl numeric sequence model. Inputs: {NumericSequenceGraphNames.Values} (N, T, {o.FeaturesPerStep}) float32 in the data's units, {NumericSequenceGraphNames.Lengths} (N) int64 in [1, T]. " +
            $"Outputs: {NumericSequenceGraphNames.Scores} (N, {o.Outputs}) " + (classification ? $"logits, {NumericSequenceGraphNames.Probabilities} (N, {o.Outputs}) softmax." : "regression targets in the label's units."));
    }
}
