using RnnMl.Torch.Cells;
using RnnMl.Torch.Layers;
using static TorchSharp.torch;

namespace RnnMl.Export.Onnx;

/// <summary>
/// The reusable pieces of every exported model, each written into an <see cref="OnnxGraph"/>: embedding lookup,
/// a <see cref="RecurrentLayer"/> as one ONNX <c>RNN</c>/<c>LSTM</c>/<c>GRU</c> node per layer, linear layers, masks
/// from lengths. Shapes: N batch, T time, D directions, L layers, H hidden, I input features.
/// </summary>
internal static class OnnxLayers
{
    /// <summary>Blocks of PyTorch's stacked gate rows in ONNX's order: LSTM [i, f, g, o] → [i, o, f, c]; GRU [r, z, n] → [z, r, h].</summary>
    private static readonly int[] LstmGateOrder = { 0, 3, 1, 2 };
    private static readonly int[] GruGateOrder = { 1, 0, 2 };
    private static readonly int[] RnnGateOrder = { 0 };

    /// <summary>Embedding lookup: Gather(weight, ids) along axis 0, so ids of any shape S give S × E.</summary>
    public static string Embedding(OnnxGraph g, string name, Tensor weight, string ids)
    {
        var w = g.Floats(name + ".weight", Values(weight), weight.shape);
        return g.Node("Gather", name, new[] { w, ids }, OnnxGraph.Attr("axis", 0L));
    }

    /// <summary>y = x Wᵀ + b on the last axis of x (any rank), as MatMul and Add with Wᵀ stored (in, out).</summary>
    public static string Linear(OnnxGraph g, string name, Tensor weight, Tensor? bias, string x)
    {
        using var wt = weight.detach().t();
        var w = g.Floats(name + ".weight_t", Values(wt), wt.shape);
        var y = g.Node("MatMul", name + "_matmul", new[] { x, w });
        if (bias is null) return y;
        var b = g.Floats(name + ".bias", Values(bias), bias.shape);
        return g.Node("Add", name, new[] { y, b });
    }

    /// <summary>y = x Wᵀ + b of a linear module (its weight and, when it has one, its bias) on the last axis of x.</summary>
    public static string Linear(OnnxGraph g, string name, TorchSharp.Modules.Linear linear, string x) =>
        Linear(g, name, linear.weight!, linear.bias, x);

    /// <summary>A linear module with bias on 2-D x (N, in), as one Gemm with transB = 1.</summary>
    /// <exception cref="ArgumentException">The module has no bias.</exception>
    public static string Gemm(OnnxGraph g, string name, TorchSharp.Modules.Linear linear, string x, string? outputName = null) =>
        Gemm(g, name, linear.weight!, linear.bias ?? throw new ArgumentException($"the linear layer '{name}' has no bias, which Gemm needs", nameof(linear)), x, outputName);

    /// <summary>y = x Wᵀ + b for 2-D x (N, in), as one Gemm with transB = 1.</summary>
    public static string Gemm(OnnxGraph g, string name, Tensor weight, Tensor bias, string x, string? outputName = null)
    {
        var w = g.Floats(name + ".weight", Values(weight), weight.shape);
        var b = g.Floats(name + ".bias", Values(bias), bias.shape);
        var inputs = new[] { x, w, b };
        var transB = OnnxGraph.Attr("transB", 1L);
        return outputName is null ? g.Node("Gemm", name, inputs, transB) : g.NodeNamed("Gemm", outputName, inputs, transB);
    }

    /// <summary>(T, N) bool, true where step t &lt; lengths[n], from int64 lengths (N) and the time axis of <paramref name="timeSource"/>.</summary>
    public static string ValidSteps(OnnxGraph g, string lengths, string timeSource, int timeAxis)
    {
        var t = g.Node("Shape", "time_steps_1d", new[] { timeSource }, OnnxGraph.Attr("start", (long)timeAxis), OnnxGraph.Attr("end", (long)timeAxis + 1));
        var tScalar = g.Node("Squeeze", "time_steps", new[] { t, g.Vector("axis0", 0) });
        var steps = g.Node("Range", "steps", new[] { g.Scalar("zero", 0L), tScalar, g.Scalar("one", 1L) });
        var column = g.Node("Unsqueeze", "steps_column", new[] { steps, g.Vector("axis1", 1) });
        var row = g.Node("Unsqueeze", "lengths_row", new[] { lengths, g.Vector("axis0", 0) });
        return g.Node("Less", "valid", new[] { column, row });
    }

    /// <summary>
    /// A recurrent layer on time-major input x (T, N, I): one ONNX node per layer with the layer's weights converted
    /// (gate orders, Wb|Rb biases, GRU <c>linear_before_reset</c> = 1), <paramref name="sequenceLengths"/> (int32 (N), or
    /// null when every sequence has T steps) bounding each sequence, and the output of one layer reshaped to
    /// (T, N, D·H) as the next layer's input.
    /// </summary>
    /// <param name="g">The graph.</param>
    /// <param name="name">Prefix of the nodes and initializers.</param>
    /// <param name="layer">The exported layer.</param>
    /// <param name="x">Time-major input (T, N, I).</param>
    /// <param name="sequenceLengths">int32 (N), or null when every sequence has T steps.</param>
    /// <param name="initialH">Per layer, the initial h (D, N, H) (ONNX's <c>initial_h</c>); null for zeros.</param>
    /// <param name="initialC">Per layer, the initial LSTM c (D, N, H); null for zeros.</param>
    /// <returns>The top layer's output (T, N, D·H) (zero at padded steps) and per layer the final h (D, N, H) (and c for LSTM).</returns>
    /// <exception cref="ArgumentException">The layer has custom cells, which have no ONNX operator.</exception>
    public static RecurrentOutputs Recurrent(OnnxGraph g, string name, RecurrentLayer layer, string x, string? sequenceLengths,
        string[]? initialH = null, string[]? initialC = null)
    {
        var (op, gateOrder, activation) = layer switch
        {
            Lstm => ("LSTM", LstmGateOrder, (string?)null),
            Gru => ("GRU", GruGateOrder, null),
            Rnn rnn => ("RNN", RnnGateOrder, rnn.Nonlinearity == RnnNonlinearity.ReLU ? "Relu" : "Tanh"),
            _ => throw new ArgumentException(
                $"only the built-in Lstm, Gru and Rnn layers have ONNX operators, got {layer.GetType().Name} (custom cells cannot be exported)", nameof(layer)),
        };
        int d = layer.Directions, h = layer.HiddenSize;
        int outputs = op == "LSTM" ? 3 : 2;
        var finalH = new string[layer.NumLayers];
        var finalC = op == "LSTM" ? new string[layer.NumLayers] : null;
        for (int l = 0; l < layer.NumLayers; l++)
        {
            string prefix = $"{name}.l{l}";
            var w = new List<float>();
            var r = new List<float>();
            var b = new List<float>();
            for (int dir = 0; dir < d; dir++)
            {
                // The slot's own parameters (the layer shares them with its cells), so no name can go stale.
                var cell = (TorchLayoutCell)layer.Cells[l * d + dir];
                w.AddRange(Reorder(cell.weight_ih, gateOrder));
                r.AddRange(Reorder(cell.weight_hh, gateOrder));
                if (layer.Options.Bias)
                {
                    b.AddRange(Reorder(cell.bias_ih!, gateOrder));
                    b.AddRange(Reorder(cell.bias_hh!, gateOrder));
                }
            }
            int gates = gateOrder.Length;
            long input = l == 0 ? layer.InputSize : (long)d * h;
            var inputs = new List<string>
            {
                x,
                g.Floats(prefix + ".W", w.ToArray(), d, gates * h, input),
                g.Floats(prefix + ".R", r.ToArray(), d, gates * h, h),
                layer.Options.Bias ? g.Floats(prefix + ".B", b.ToArray(), d, 2L * gates * h) : "",
                sequenceLengths ?? "",
                initialH?[l] ?? "",
                op == "LSTM" ? initialC?[l] ?? "" : "",
            };
            while (inputs[^1].Length == 0) inputs.RemoveAt(inputs.Count - 1);
            var attributes = new List<AttributeProto>
            {
                OnnxGraph.Attr("hidden_size", (long)h),
                OnnxGraph.Attr("direction", d == 2 ? "bidirectional" : "forward"),
            };
            if (op == "GRU") attributes.Add(OnnxGraph.Attr("linear_before_reset", 1L));
            if (activation is not null) attributes.Add(OnnxGraph.Attr("activations", Enumerable.Repeat(activation, d).ToArray()));
            var results = g.Node(op, prefix, inputs.ToArray(), outputs, attributes.ToArray());
            finalH[l] = results[1];
            if (finalC is not null) finalC[l] = results[2];
            // Y is (T, D, N, H); the next layer (and PyTorch's output) wants (T, N, D·H), forward half first.
            x = d == 1
                ? g.Node("Squeeze", prefix + "_output", new[] { results[0], g.Vector("axis1", 1) })
                : g.Node("Reshape", prefix + "_output",
                    new[] { g.Node("Transpose", prefix + "_tndh", new[] { results[0] }, OnnxGraph.Attr("perm", new long[] { 0, 2, 1, 3 })), g.Vector("shape_0_0_m1", 0, 0, -1) });
        }
        return new RecurrentOutputs(x, finalH, finalC);
    }

    /// <summary>
    /// A one-layer, forward, biased TorchSharp <c>nn.GRU</c> on time-major x (T, N, I) as one ONNX <c>GRU</c> node
    /// (gates [r, z, n] → [z, r, h], <c>linear_before_reset</c> = 1, as PyTorch computes n = tanh(W_n x + b_in + r ⊙ (U_n h + b_hn))).
    /// </summary>
    /// <returns>The final hidden state (1, N, H).</returns>
    /// <exception cref="ArgumentException">The GRU is stacked, bidirectional or without biases.</exception>
    public static string TorchGru(OnnxGraph g, string name, TorchSharp.Modules.GRU gru, string x)
    {
        // libtorch's own names for the layer-0 forward parameters (PyTorch's documented nn.GRU attributes).
        var p = gru.named_parameters().ToDictionary(q => q.name, q => (Tensor)q.parameter);
        if (p.Count != 4 || !p.ContainsKey("weight_ih_l0") || !p.ContainsKey("bias_hh_l0"))
            throw new ArgumentException($"only a one-layer, forward GRU with biases can be exported here, got parameters {string.Join(", ", p.Keys)}", nameof(gru));
        var (wih, whh) = (p["weight_ih_l0"], p["weight_hh_l0"]);
        long h = whh.shape[1], input = wih.shape[1];
        var b = Reorder(p["bias_ih_l0"], GruGateOrder).Concat(Reorder(p["bias_hh_l0"], GruGateOrder)).ToArray();
        var inputs = new[]
        {
            x,
            g.Floats(name + ".W", Reorder(wih, GruGateOrder).ToArray(), 1, 3 * h, input),
            g.Floats(name + ".R", Reorder(whh, GruGateOrder).ToArray(), 1, 3 * h, h),
            g.Floats(name + ".B", b, 1, 6 * h),
        };
        var results = g.Node("GRU", name, inputs, 2, OnnxGraph.Attr("hidden_size", h), OnnxGraph.Attr("direction", "forward"),
            OnnxGraph.Attr("linear_before_reset", 1L));
        return results[1];
    }

    /// <summary>Row-major float values of a tensor (detached, on the CPU, as float32).</summary>
    public static float[] Values(Tensor t)
    {
        using var c = t.detach().to(ScalarType.Float32, CPU).contiguous();
        return c.data<float>().ToArray();
    }

    private static IEnumerable<float> Reorder(Tensor stacked, int[] order)
    {
        var values = Values(stacked);
        int block = values.Length / order.Length;
        return order.SelectMany(k => new ArraySegment<float>(values, k * block, block));
    }
}
