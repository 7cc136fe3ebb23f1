using RnnMl.Torch.Forecasting;

namespace RnnMl.Export.Onnx;

/// <summary>Writes a <see cref="SegmentRecurrentForecaster"/> (in evaluation mode: no dropout) as one ONNX graph.</summary>
/// <remarks>
/// window x (N, L, C) → [(x − μ)/σ with per-channel scaling] → offset = x[:, L−1:L, :], z = x − offset [/ scale,
/// scale = sqrt(ReduceMean((x − mean_L)²) + ε)] → sequences (B, L, P): independent Transpose + Reshape (N·C, L, 1), joint z
/// itself (N, L, C) → [Concat the covariates' first L steps (B, L, K), broadcast to every channel when independent] →
/// Reshape (B, L/w, w(P+K)) → MatMul + Add + Relu → Transpose (K, B, D) → GRU → final h (B, D) [→ Concat the future
/// covariates (B, H·K)] → Gemm (B, (1+Q)·H·P) [+ skip MatMul per channel] → (N, H, C, 1+Q) → ·scale + offset [→ ·σ + μ] →
/// forecast = [..., 0], quantiles = [..., 1:]. The recursive output mode is not exported.
/// </remarks>
internal static class ForecasterGraph
{
    public static ModelProto Build(SegmentRecurrentForecaster model, ForecasterModelInfo info)
    {
        if (model.OutputMode != ForecastOutputMode.Direct)
            throw new NotSupportedException($"only the direct output mode is exported to ONNX; this forecaster is {model.OutputMode}");
        int l = model.Lookback, h = model.Horizon, w = model.SegmentLength, q = model.Quantiles.Count, k = model.Covariates;
        bool joint = model.ChannelMode == ForecasterChannelMode.Joint;
        int p = joint ? model.Channels!.Value : 1;
        var norm = model.Normalization;
        var g = new OnnxGraph("rnnml_forecaster");
        object channels = info.Channels is int fixedC ? (long)fixedC : "C";
        var x = g.Input(ForecasterGraphNames.Window, DataType.Float, "N", (long)l, channels);
        string? covariates = k == 0 ? null : g.Input(ForecasterGraphNames.Covariates, DataType.Float, "N", (long)(l + h), (long)k);

        if (info.Means is { } means)
        {
            var mu = g.Floats("channel_means", means.Select(v => (float)v).ToArray(), means.Count);
            var sigma = g.Floats("channel_stds", info.Stds!.Select(v => (float)v).ToArray(), means.Count);
            x = g.Node("Div", "window_scaled", new[] { g.Node("Sub", "window_centred", new[] { x, mu }), sigma });
        }
        if (covariates is not null && info.CovariateMeans is { } cm)
        {
            var mu = g.Floats("covariate_means", cm.Select(v => (float)v).ToArray(), k);
            var sigma = g.Floats("covariate_stds", info.CovariateStds!.Select(v => (float)v).ToArray(), k);
            covariates = g.Node("Div", "covariates_scaled", new[] { g.Node("Sub", "covariates_centred", new[] { covariates, mu }), sigma });
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

        // Sequences (B, L, P) and their per-channel view (B·P, L): independent (N·C, L, 1), joint (N, L, C).
        var ncl = g.Node("Transpose", "sequences_ncl", new[] { z }, OnnxGraph.Attr("perm", new long[] { 0, 2, 1 }));
        var nc = g.Node("Shape", "n_c", new[] { ncl }, OnnxGraph.Attr("start", 0L), OnnxGraph.Attr("end", 2L));
        var perChannel = g.Node("Reshape", "sequences", new[] { ncl, g.Vector("shape_m1_l", -1, l) });        // (N·C, L)
        var steps = joint ? z : g.Node("Reshape", "sequences_l1", new[] { ncl, g.Vector("shape_m1_l_1", -1, l, 1) });
        string? future = null;
        if (covariates is not null)
        {
            var perSequence = covariates;                                                                     // (B, L+H, K)
            if (!joint)
            {
                var shape = g.Node("Concat", "n_c_lh_k", new[] { nc, g.Vector("lh_k", l + h, k) }, OnnxGraph.Attr("axis", 0L));
                var expanded = g.Node("Expand", "covariates_nc", new[] { g.Node("Unsqueeze", "covariates_n1", new[] { covariates, g.Vector("axis1", 1) }), shape });
                perSequence = g.Node("Reshape", "covariates_b", new[] { expanded, g.Vector("shape_m1_lh_k", -1, l + h, k) });
            }
            var past = g.Node("Slice", "covariates_past", new[] { perSequence, g.Vector("zero_start", 0), g.Vector("past_end", l), g.Vector("axis1", 1) });
            future = g.Node("Reshape", "covariates_future", new[] {
                g.Node("Slice", "covariates_future_steps", new[] { perSequence, g.Vector("future_start", l), g.Vector("future_end", l + h), g.Vector("axis1", 1) }),
                g.Vector("shape_m1_hk", -1, (long)h * k) });
            steps = g.Node("Concat", "steps", new[] { steps, past }, OnnxGraph.Attr("axis", 2L));
        }
        var segments = g.Node("Reshape", "segments", new[] { steps, g.Vector("shape_m1_k_w", -1, l / w, (long)w * (p + k)) });
        var embedded = g.Node("Relu", "embedded", new[] { OnnxLayers.Linear(g, "segment", model.SegmentProjection, segments) });
        var timeMajor = g.Node("Transpose", "embedded_knd", new[] { embedded }, OnnxGraph.Attr("perm", new long[] { 1, 0, 2 }));
        var finalH = OnnxLayers.TorchGru(g, "gru", model.Recurrent, timeMajor);
        var hidden = g.Node("Squeeze", "hidden", new[] { finalH, g.Vector("axis0", 0) });
        if (future is not null) hidden = g.Node("Concat", "hidden_future", new[] { hidden, future }, OnnxGraph.Attr("axis", 1L));
        var y = OnnxLayers.Gemm(g, "output", model.Head, hidden);                                       // (B, (1+Q)·H·P)
        string? skipped = model.Skip is { } skip ? OnnxLayers.Linear(g, "skip", skip.weight!, null, perChannel) : null;  // (N·C, H)
        if (joint)
        {
            y = g.Node("Reshape", "heads", new[] { y, g.Vector("shape_m1_heads_h_c", -1, 1 + q, h, p) });    // (N, 1+Q, H, C)
            if (skipped is not null)
            {
                var nhc = g.Node("Transpose", "skip_nhc", new[] { g.Node("Reshape", "skip_nch", new[] { skipped, g.Vector("shape_m1_c_h", -1, p, h) }) },
                    OnnxGraph.Attr("perm", new long[] { 0, 2, 1 }));
                y = g.Node("Add", "heads_skip", new[] { y, g.Node("Unsqueeze", "skip_heads", new[] { nhc, g.Vector("axis1", 1) }) });
            }
            y = g.Node("Transpose", "nhcq", new[] { y }, OnnxGraph.Attr("perm", new long[] { 0, 2, 3, 1 }));
        }
        else
        {
            y = g.Node("Reshape", "heads", new[] { y, g.Vector("shape_m1_heads_h", -1, 1 + q, h) });
            if (skipped is not null)
                y = g.Node("Add", "heads_skip", new[] { y, g.Node("Unsqueeze", "skip_heads", new[] { skipped, g.Vector("axis1", 1) }) });
            var shape = g.Node("Concat", "nc_heads_h", new[] { nc, g.Vector("heads_h", 1 + q, h) }, OnnxGraph.Attr("axis", 0L));
            y = g.Node("Transpose", "nhcq", new[] { g.Node("Reshape", "nc_heads", new[] { y, shape }) }, OnnxGraph.Attr("perm", new long[] { 0, 3, 1, 2 }));
        }

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
        if (q > 0 && model.IntervalScale != 1)
        {
            // The calibrated interval: q ← p + s·(q − p), s = the model's interval scale.
            var p0 = g.Node("Slice", "point_4d", new[] { y, g.Vector("point_start", 0), g.Vector("point_end", 1), g.Vector("axis3", 3) });
            var raw = g.Node("Slice", "quantiles_raw", new[] { y, g.Vector("quantiles_start", 1), g.Vector("quantiles_end", 1 + q), g.Vector("axis3", 3) });
            var spread = g.Node("Mul", "quantiles_spread", new[] { g.Node("Sub", "quantiles_offset", new[] { raw, p0 }), g.Scalar("interval_scale", (float)model.IntervalScale) });
            g.NodeNamed("Add", ForecasterGraphNames.Quantiles, new[] { p0, spread });
            g.Output(ForecasterGraphNames.Quantiles, DataType.Float, "N", (long)h, channels, (long)q);
        }
        else if (q > 0)
        {
            g.NodeNamed("Slice", ForecasterGraphNames.Quantiles, new[] { y, g.Vector("quantiles_start", 1), g.Vector("quantiles_end", 1 + q), g.Vector("axis3", 3) });
            g.Output(ForecasterGraphNames.Quantiles, DataType.Float, "N", (long)h, channels, (long)q);
        }

        var metadata = new Dictionary<string, string>(info.ToMetadata(), StringComparer.Ordinal)
        {
            ["rnnml.model"] = $"SegmentRecurrentForecaster lookback={l} horizon={h} segment={w} hidden={model.HiddenSize} quantiles={q} skip={model.LinearSkip} divide_by_std={norm.DivideByStd} mode={model.ChannelMode} covariates={k} interval_scale={model.IntervalScale:R}",
        };
        return g.ToModel(metadata,
            $"RnnMl forecaster. Input: {ForecasterGraphNames.Window} (N, {l}, C) float32, oldest step first" +
            (k == 0 ? "" : $"; {ForecasterGraphNames.Covariates} (N, {l + h}, {k}) float32, the known covariates of the window's and the forecast's steps") +
            $". Outputs: {ForecasterGraphNames.Forecast} (N, {h}, C)" +
            (q == 0 ? "" : $", {ForecasterGraphNames.Quantiles} (N, {h}, C, {q}) at the levels in rnnml.quantiles") + ", in the input's units.");
    }
}
