using RnnMl.Torch.Forecasting;

namespace RnnMl.Export.Onnx;

/// <summary>Writes a <see cref="SegmentRecurrentForecaster"/> (in evaluation mode: no dropout) as one ONNX graph.</summary>
/// <remarks>
/// window x (N, L, C) → [(x − μ)/σ with per-channel scaling] → offset = x[:, L−1:L, :], z = x − offset [/ scale,
/// scale = sqrt(ReduceMean((x − mean_L)²) + ε)] → Transpose (N, C, L) → Reshape (N·C, L/w, w) → MatMul + Add + Relu
/// (N·C, K, D) → Transpose (K, N·C, D) → GRU → final h (N·C, D) → Gemm (N·C, H·(1+Q)) [+ skip MatMul of (N·C, L)] →
/// (N, C, 1+Q, H) → Transpose (N, H, C, 1+Q) → ·scale + offset [→ ·σ + μ] → forecast = [..., 0], quantiles = [..., 1:].
/// </remarks>
internal static class ForecasterGraph
{
    public static ModelProto Build(SegmentRecurrentForecaster model, ForecasterModelInfo info)
    {
        int l = model.Lookback, h = model.Horizon, w = model.SegmentLength, q = model.Quantiles.Count;
        var norm = model.Normalization;
        var g = new OnnxGraph("rnnml_forecaster");
        object channels = info.Channels is int fixedC ? (long)fixedC : "C";
        var x = g.Input(ForecasterGraphNames.Window, DataType.Float, "N", (long)l, channels);

        if (info.Means is { } means)
        {
            var stds = info.Stds!;
            var mu = g.Floats("channel_means", means.Select(v => (float)v).ToArray(), means.Count);
            var sigma = g.Floats("channel_stds", stds.Select(v => (float)v).ToArray(), stds.Count);
            x = g.Node("Div", "window_scaled", new[] { g.Node("Sub", "window_centred", new[] { x, mu }), sigma });
        }
        var offset = g.Node("Slice", "offset", new[] { x, g.Vector("last_start", l - 1), g.Vector("last_end", l), g.Vector("axis1", 1) });
        var z = g.Node("Sub", "normalized", new[] { x, offset });
        string? scale = null;
        if (norm.DivideByStd)
        {
            var axes = OnnxGraph.Attr("axes", new long[] { 1 });
            var mean = g.Node("ReduceMean", "window_mean", new[] { x }, axes);
            var centred = g.Node("Sub", "window_deviation", new[] { x, mean });
            var variance = g.Node("ReduceMean", "window_variance", new[] { g.Node("Mul", "window_squared", new[] { centred, centred }) }, axes);
            scale = g.Node("Sqrt", "scale", new[] { g.Node("Add", "variance_eps", new[] { variance, g.Scalar("epsilon", (float)norm.Epsilon) }) });
            z = g.Node("Div", "normalized_scaled", new[] { z, scale });
        }

        // (N, L, C) → (N, C, L) → (N·C, L) and (N·C, K, w).
        var ncl = g.Node("Transpose", "sequences_ncl", new[] { z }, OnnxGraph.Attr("perm", new long[] { 0, 2, 1 }));
        var nc = g.Node("Shape", "n_c", new[] { ncl }, OnnxGraph.Attr("start", 0L), OnnxGraph.Attr("end", 2L));
        var sequences = g.Node("Reshape", "sequences", new[] { ncl, g.Vector("shape_m1_l", -1, l) });
        var segments = g.Node("Reshape", "segments", new[] { ncl, g.Vector("shape_m1_k_w", -1, l / w, w) });
        var embedded = g.Node("Relu", "embedded", new[] { OnnxLayers.Linear(g, "segment", model.SegmentProjection, segments) });
        var timeMajor = g.Node("Transpose", "embedded_knd", new[] { embedded }, OnnxGraph.Attr("perm", new long[] { 1, 0, 2 }));
        var finalH = OnnxLayers.TorchGru(g, "gru", model.Recurrent, timeMajor);
        var hidden = g.Node("Squeeze", "hidden", new[] { finalH, g.Vector("axis0", 0) });
        var y = OnnxLayers.Gemm(g, "output", model.Head, hidden);                                       // (N·C, (1+Q)·H)
        y = g.Node("Reshape", "heads", new[] { y, g.Vector("shape_m1_heads_h", -1, 1 + q, h) });
        if (model.Skip is { } skip)
        {
            var s = OnnxLayers.Linear(g, "skip", skip.weight!, null, sequences);                     // (N·C, H)
            y = g.Node("Add", "heads_skip", new[] { y, g.Node("Unsqueeze", "skip_heads", new[] { s, g.Vector("axis1", 1) }) });
        }
        var shape = g.Node("Concat", "nc_heads_h", new[] { nc, g.Vector("heads_h", 1 + q, h) }, OnnxGraph.Attr("axis", 0L));
        y = g.Node("Transpose", "nhcq", new[] { g.Node("Reshape", "nc_heads", new[] { y, shape }) }, OnnxGraph.Attr("perm", new long[] { 0, 3, 1, 2 }));

        // offset and scale (N, 1, C) → (N, 1, C, 1), broadcast over H and the heads.
        var axisLast = g.Vector("axis_last", -1);
        if (scale is not null) y = g.Node("Mul", "denormalized_scale", new[] { y, g.Node("Unsqueeze", "scale_4d", new[] { scale, axisLast }) });
        y = g.Node("Add", "denormalized", new[] { y, g.Node("Unsqueeze", "offset_4d", new[] { offset, axisLast }) });
        if (info.Means is not null)
        {
            var c = (long)info.Means.Count;
            var sigma = g.Floats("channel_stds_c1", info.Stds!.Select(v => (float)v).ToArray(), c, 1);
            var mu = g.Floats("channel_means_c1", info.Means.Select(v => (float)v).ToArray(), c, 1);
            y = g.Node("Add", "unscaled", new[] { g.Node("Mul", "unscaled_std", new[] { y, sigma }), mu });
        }
        g.NodeNamed("Gather", ForecasterGraphNames.Forecast, new[] { y, g.Scalar("zero", 0L) }, OnnxGraph.Attr("axis", 3L));
        g.Output(ForecasterGraphNames.Forecast, DataType.Float, "N", (long)h, channels);
        if (q > 0)
        {
            g.NodeNamed("Slice", ForecasterGraphNames.Quantiles, new[] { y, g.Vector("quantiles_start", 1), g.Vector("quantiles_end", 1 + q), g.Vector("axis3", 3) });
            g.Output(ForecasterGraphNames.Quantiles, DataType.Float, "N", (long)h, channels, (long)q);
        }

        var metadata = new Dictionary<string, string>(info.ToMetadata(), StringComparer.Ordinal)
        {
            ["rnnml.model"] = $"SegmentRecurrentForecaster lookback={l} horizon={h} segment={w} hidden={model.HiddenSize} quantiles={q} skip={model.LinearSkip} divide_by_std={norm.DivideByStd}",
        };
        return g.ToModel(metadata,
            $"RnnMl forecaster. Input: {ForecasterGraphNames.Window} (N, {l}, C) float32, oldest step first. Outputs: {ForecasterGraphNames.Forecast} (N, {h}, C)" +
            (q == 0 ? "" : $", {ForecasterGraphNames.Quantiles} (N, {h}, C, {q}) at the levels in rnnml.quantiles") + ", in the input's units.");
    }
}
