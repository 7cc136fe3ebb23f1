namespace RnnMl.Export.Onnx;

/// <summary>Pooling of a time-major recurrent output over each sequence's valid steps, as the TorchSharp models pool:
/// shared by the text classifier's and the numeric-sequence model's graphs.</summary>
internal static class OnnxPooling
{
    /// <summary>The pooled vector (N, P) of <paramref name="encoded"/>'s output (T, N, D·H).</summary>
    /// <param name="g">The graph.</param>
    /// <param name="pooling">Last (the top layer's final h of each direction, forward half first), Mean, Max or MeanMax
    /// over valid steps; anything else is <paramref name="other"/>'s.</param>
    /// <param name="encoded">The recurrent layer's outputs.</param>
    /// <param name="directions">D, 1 or 2.</param>
    /// <param name="valid">(T, N, 1) bool, true at valid steps.</param>
    /// <param name="lengths">(N) int64 lengths.</param>
    /// <param name="other">Writes any other pooling (the classifier's attention); null when there is none.</param>
    public static string Pool(OnnxGraph g, PoolingKind pooling, RecurrentOutputs encoded, int directions, string valid, string lengths, Func<string>? other = null)
    {
        var y = encoded.Output;
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
        switch (pooling)
        {
            case PoolingKind.Last:
            {
                var top = encoded.FinalH[^1];
                return directions == 1
                    ? g.Node("Squeeze", "last_pooled", new[] { top, g.Vector("axis0", 0) })
                    : g.Node("Reshape", "last_pooled", new[]
                    {
                        g.Node("Transpose", "last_ndh", new[] { top }, OnnxGraph.Attr("perm", new long[] { 1, 0, 2 })),
                        g.Vector("shape_0_m1", 0, -1),
                    });
            }
            case PoolingKind.Mean:
                return Mean();
            case PoolingKind.Max:
                return Max();
            case PoolingKind.MeanMax:
                return g.Node("Concat", "meanmax_pooled", new[] { Mean(), Max() }, OnnxGraph.Attr("axis", 1L));
            default:
                return other?.Invoke() ?? throw new ArgumentException($"pooling {pooling} cannot be exported here", nameof(pooling));
        }
    }
}
