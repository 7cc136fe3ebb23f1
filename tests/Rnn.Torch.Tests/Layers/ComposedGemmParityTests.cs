using RnnMl.Torch.Layers;
using RnnMl.Torch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Layers;

/// <summary>
/// The LSTM layer function with the hand-written backward (<see cref="RecurrentBackend.ComposedGemm"/>) against the
/// composed loop under autograd on the same weights: outputs, final states and every gradient, 1–3 layers, one or two
/// directions, either layout, with and without lengths (including 1 and T); and against finite differences.
/// </summary>
public class ComposedGemmParityTests
{
    private const int I = 5, H = 6, T = 7, N = 5;
    private static readonly long[] Lengths = { T, 3, 1, 5, 3 };

    public static IEnumerable<object[]> Configurations()
    {
        foreach (int layers in new[] { 1, 2, 3 })
            foreach (bool bidirectional in new[] { false, true })
                foreach (bool withLengths in new[] { false, true })
                    foreach (bool batchFirst in new[] { false, true })
                        yield return new object[] { layers, bidirectional, withLengths, batchFirst };
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void ComposedGemm_EqualsComposedAutograd_Float64(int layers, bool bidirectional, bool withLengths, bool batchFirst)
        => AssertParity(layers, bidirectional, withLengths, batchFirst, ScalarType.Float64, 1e-10);

    [Theory]
    [InlineData(1, false, false)]
    [InlineData(2, true, true)]
    public void ComposedGemm_EqualsComposedAutograd_Float32(int layers, bool bidirectional, bool withLengths)
        => AssertParity(layers, bidirectional, withLengths, batchFirst: false, ScalarType.Float32, 1e-5);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ComposedGemm_Gradients_MatchFiniteDifferences(bool withLengths)
    {
        using var scope = NewDisposeScope();
        manual_seed(97);
        const int h = 3, n = 3, t = 4;
        using var layer = Lstm.Create(2, h, 2, bidirectional: true, backend: RecurrentBackend.ComposedGemm, dtype: ScalarType.Float64);
        var x = randn(t, n, 2, ScalarType.Float64).requires_grad_(true);
        var h0 = randn(4, n, h, ScalarType.Float64).requires_grad_(true);
        var c0 = randn(4, n, h, ScalarType.Float64).requires_grad_(true);
        var lengths = withLengths ? tensor(new long[] { t, 1, 3 }) : null;
        var wOut = randn(t, n, 2 * h, ScalarType.Float64);
        var wH = randn(4, n, h, ScalarType.Float64);
        var wC = randn(4, n, h, ScalarType.Float64);
        Tensor Loss()
        {
            var (output, state) = layer.forward(x, new RecurrentState(h0, c0), lengths);
            return (output * wOut).sum() + (state.H * wH).sum() + (state.C! * wC).sum();
        }

        Loss().backward();
        var checkedTensors = layer.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Append(("x", x)).Append(("h0", h0)).Append(("c0", c0)).ToList();
        const double eps = 1e-6;
        foreach (var (name, p) in checkedTensors)
        {
            var analytic = p.grad!.clone();
            var flat = p.detach().view(-1);
            for (long k = 0; k < flat.shape[0]; k++)
            {
                double v = flat[k].item<double>();
                double plus, minus;
                using (no_grad())
                {
                    flat[k].fill_(v + eps);
                    plus = Loss().item<double>();
                    flat[k].fill_(v - eps);
                    minus = Loss().item<double>();
                    flat[k].fill_(v);
                }
                double numeric = (plus - minus) / (2 * eps);
                double a = analytic.view(-1)[k].item<double>();
                Assert.True(Math.Abs(numeric - a) <= 1e-6 * Math.Max(1, Math.Abs(numeric)),
                    $"d loss / d {name}[{k}]: backward {a:G10}, finite difference {numeric:G10}");
            }
        }
    }

    [Fact]
    public void ComposedGemm_BackwardTwiceWithRetainedGraph_GivesTheSameGradients()
    {
        // The backward must not change what the forward saved: a second pass over the same graph gives the same numbers.
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var layer = Lstm.Create(I, H, backend: RecurrentBackend.ComposedGemm, dtype: ScalarType.Float64);
        var x = randn(T, N, I, ScalarType.Float64);
        var loss = layer.forward(x, lengths: tensor(Lengths)).Output.square().sum();
        loss.backward(retain_graph: true);
        var first = layer.parameters().Select(p => p.grad!.clone()).ToList();
        layer.zero_grad();
        loss.backward();
        foreach (var (p, g) in layer.parameters().Zip(first))
            RnnAssert.Equal(g, p.grad!, "second backward");
    }

    [Fact]
    public void ComposedGemm_WithoutAutograd_EqualsComposed()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var gemm = Lstm.Create(I, H, 2, bidirectional: true, backend: RecurrentBackend.ComposedGemm);
        using var composed = Lstm.Create(I, H, 2, bidirectional: true, backend: RecurrentBackend.Composed);
        composed.load_state_dict(gemm.state_dict());
        var x = randn(T, N, I);
        using var noGrad = no_grad();
        var (a, sa) = gemm.forward(x, lengths: tensor(Lengths));
        var (b, sb) = composed.forward(x, lengths: tensor(Lengths));
        RnnAssert.Close(b, a, 1e-6, "output");
        RnnAssert.Close(sb.H, sa.H, 1e-6, "h_n");
        RnnAssert.Close(sb.C!, sa.C!, 1e-6, "c_n");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ComposedGemm_NoGradLoop_GivesExactlyTheAutogradForward(bool bidirectional, bool withLengths)
    {
        // Without autograd the layer runs its own in-place loop (nothing saved); it must give the very same numbers as
        // the autograd node's forward, for both directions and with rows ending (forward) or starting (reverse) mid-batch.
        using var scope = NewDisposeScope();
        manual_seed(23);
        using var layer = Lstm.Create(I, H, 2, bidirectional: bidirectional, backend: RecurrentBackend.ComposedGemm, dtype: ScalarType.Float64);
        int d = bidirectional ? 2 : 1;
        var x = randn(T, N, I, ScalarType.Float64);
        var state = new RecurrentState(randn(2 * d, N, H, ScalarType.Float64), randn(2 * d, N, H, ScalarType.Float64));
        var lengths = withLengths ? tensor(Lengths) : null;
        var (expected, expectedState) = layer.forward(x, state, lengths);
        Assert.True(expected.requires_grad, "the reference must run the autograd node");
        using var noGrad = no_grad();
        var (actual, actualState) = layer.forward(x, state, lengths);
        RnnAssert.Equal(expected, actual, "output");
        RnnAssert.Equal(expectedState.H, actualState.H, "h_n");
        RnnAssert.Equal(expectedState.C!, actualState.C!, "c_n");
    }

    [Fact]
    public void ComposedGemm_OnAGru_IsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gru.Create(I, H, backend: RecurrentBackend.ComposedGemm));
        RnnAssert.Mentions(ex, "ComposedGemm", "LSTM");
    }

    private static void AssertParity(int layers, bool bidirectional, bool withLengths, bool batchFirst, ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        manual_seed(31 + layers);
        using var gemm = Lstm.Create(I, H, layers, batchFirst: batchFirst, bidirectional: bidirectional, backend: RecurrentBackend.ComposedGemm, dtype: dtype);
        using var composed = Lstm.Create(I, H, layers, batchFirst: batchFirst, bidirectional: bidirectional, backend: RecurrentBackend.Composed, dtype: dtype);
        composed.load_state_dict(gemm.state_dict());

        int d = bidirectional ? 2 : 1;
        var x = batchFirst ? randn(N, T, I, dtype) : randn(T, N, I, dtype);
        var h0 = randn(layers * d, N, H, dtype);
        var c0 = randn(layers * d, N, H, dtype);
        var lengths = withLengths ? tensor(Lengths) : null;
        // Random weights on the outputs and states make every element matter in the gradients.
        var wOut = randn(batchFirst ? new long[] { N, T, d * H } : new long[] { T, N, d * H }, dtype);
        var wH = randn(layers * d, N, H, dtype);
        var wC = randn(layers * d, N, H, dtype);

        var results = new List<Result>();
        foreach (var layer in new[] { gemm, composed })
        {
            var xi = x.detach().requires_grad_(true);
            var hi = h0.detach().requires_grad_(true);
            var ci = c0.detach().requires_grad_(true);
            var (output, state) = layer.forward(xi, new RecurrentState(hi, ci), lengths);
            var loss = (output * wOut).sum() + (state.H * wH).sum() + (state.C! * wC).sum();
            loss.backward();
            var grads = layer.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
            results.Add(new Result(output, state, grads, xi.grad!.clone(), hi.grad!.clone(), ci.grad!.clone()));
        }

        var (r, reference) = (results[0], results[1]);
        RnnAssert.Close(reference.Output, r.Output, tolerance, "output");
        RnnAssert.Close(reference.State.H, r.State.H, tolerance, "h_n");
        RnnAssert.Close(reference.State.C!, r.State.C!, tolerance, "c_n");
        RnnAssert.Close(reference.InputGrad, r.InputGrad, tolerance, "input gradient");
        RnnAssert.Close(reference.H0Grad, r.H0Grad, tolerance, "h_0 gradient");
        RnnAssert.Close(reference.C0Grad, r.C0Grad, tolerance, "c_0 gradient");
        Assert.Equal(layers * d * 4, r.Grads.Count);
        foreach (var p in reference.Grads.Keys)
            RnnAssert.Close(reference.Grads[p], r.Grads[p], tolerance, $"gradient of {p}");
    }

    private sealed record Result(Tensor Output, RecurrentState State, Dictionary<string, Tensor> Grads, Tensor InputGrad, Tensor H0Grad, Tensor C0Grad);
}
