using RnnMl.Torch.Cells;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

/// <summary>
/// Autograd gradients of every cell and of stacked bidirectional variable-length layers against central finite
/// differences (<see cref="GradientCheck"/>), in float64; and proof that the check notices a wrong gradient.
/// </summary>
public class GradientCheckTests
{
    private const int I = 3, H = 4, T = 5, N = 2;
    private const double Tolerance = 1e-6;
    private const ScalarType F64 = ScalarType.Float64;

    public static TheoryData<string> CellKinds() => new() { "lstm", "gru", "rnn-tanh", "rnn-relu" };

    private static RecurrentCell Cell(string kind) => kind switch
    {
        "lstm" => LstmCell.Create(I, H, dtype: F64),
        "gru" => GruCell.Create(I, H, dtype: F64),
        "rnn-tanh" => RnnCell.Create(I, H, dtype: F64),
        _ => RnnCell.Create(I, H, nonlinearity: RnnNonlinearity.ReLU, dtype: F64),
    };

    /// <summary>Every input must influence the loss, or a zero gradient could hide behind a zero finite difference.</summary>
    private static void AssertEveryInputHasNonZeroGradient(Func<Tensor> loss, IReadOnlyList<Tensor> inputs)
    {
        using var scope = NewDisposeScope();
        var grads = autograd.grad(new[] { loss() }, inputs.ToList(), allow_unused: true);
        for (int i = 0; i < inputs.Count; i++)
        {
            Assert.False(grads[i] is null || grads[i].IsInvalid, $"input {i} got no gradient");
            Assert.True(grads[i].abs().max().item<double>() > 0, $"input {i} got an all-zero gradient");
        }
    }

    [Theory]
    [MemberData(nameof(CellKinds))]
    public void Cell_Float64_AutogradMatchesFiniteDifferencesForParametersInputAndState(string kind)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var cell = Cell(kind);
        var x = randn(N, I, F64).requires_grad_();
        var state = Enumerable.Range(0, cell.StateCount).Select(_ => randn(N, H, F64).requires_grad_()).ToArray();
        // Fixed random weights make the loss asymmetric, so that every output element matters differently.
        var weights = Enumerable.Range(0, cell.StateCount).Select(_ => randn(N, H, F64)).ToArray();

        if (kind == "rnn-relu")
        {
            // ReLU has a kink at 0, where finite differences (±1e-6) are meaningless. Redraw until no pre-activation is
            // within 1e-3 of 0 and both signs occur, so the check covers both sides of the kink but never straddles it.
            // (Redrawing rather than trusting one seed: tests in other classes share torch's generator in parallel.)
            var rnn = (RnnCell)cell;
            bool AwayFromKink()
            {
                using var inner = NewDisposeScope();
                using var noGrad = no_grad();
                var pre = nn.functional.linear(x, rnn.weight_ih, rnn.bias_ih) + nn.functional.linear(state[0], rnn.weight_hh, rnn.bias_hh);
                return pre.abs().min().item<double>() > 1e-3 && pre.gt(0).any().item<bool>() && pre.lt(0).any().item<bool>();
            }
            for (int attempt = 0; attempt < 100 && !AwayFromKink(); attempt++)
            {
                using var noGrad = no_grad();
                cell.ResetParameters();
                x.copy_(randn(N, I, F64));
                state[0].copy_(randn(N, H, F64));
            }
            Assert.True(AwayFromKink(), "could not draw ReLU pre-activations away from the kink");
        }

        Tensor Loss()
        {
            var next = cell.forward(x, state);
            var total = (next[0] * weights[0]).sum();
            for (int k = 1; k < next.Length; k++) total = total + (next[k] * weights[k]).sum();
            return total;
        }

        var inputs = cell.parameters().Cast<Tensor>().Append(x).Concat(state).ToList();
        Assert.Equal(4, inputs.Count - 1 - state.Length); // weight_ih, weight_hh, bias_ih, bias_hh
        AssertEveryInputHasNonZeroGradient(Loss, inputs);

        var result = GradientCheck.Check(Loss, inputs);

        Assert.Equal(inputs.Sum(t => t.numel()), result.ElementsChecked);
        Assert.True(result.RelativeError <= Tolerance, $"{kind}: relative error {result.RelativeError:E3}, max abs {result.MaxAbsoluteError:E3}");
    }

    public static TheoryData<LayerKind, RecurrentBackend> LayerCases() => new()
    {
        { LayerKind.Lstm, RecurrentBackend.Composed }, { LayerKind.Lstm, RecurrentBackend.Fused },
        { LayerKind.Lstm, RecurrentBackend.ComposedGemm },
        { LayerKind.Gru, RecurrentBackend.Composed }, { LayerKind.Gru, RecurrentBackend.Fused },
        { LayerKind.Rnn, RecurrentBackend.Composed }, { LayerKind.Rnn, RecurrentBackend.Fused },
    };

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void TwoLayerBidirectionalWithLengths_Float64_AutogradMatchesFiniteDifferences(LayerKind kind, RecurrentBackend backend)
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        using var layer = TestLayers.Create(kind, I, H, numLayers: 2, bidirectional: true, backend: backend, dtype: F64);
        var x = randn(T, N, I, F64).requires_grad_();
        var h0 = randn(4, N, H, F64).requires_grad_();
        var c0 = kind == LayerKind.Lstm ? randn(4, N, H, F64).requires_grad_() : null;
        // Unsorted and shorter than T, so packing has to sort and unsort, and padding is really used.
        var lengths = tensor(new long[] { 3, T });
        var outputWeights = randn(T, N, 2 * H, F64);
        var hWeights = randn(4, N, H, F64);
        var cWeights = randn(4, N, H, F64);

        Tensor Loss()
        {
            var (output, final) = layer.forward(x, new RecurrentState(h0, c0), lengths);
            var loss = (output * outputWeights).sum() + (final.H * hWeights).sum();
            return final.C is null ? loss : loss + (final.C * cWeights).sum();
        }

        var inputs = layer.parameters().Cast<Tensor>().Append(x).Append(h0).ToList();
        if (c0 is not null) inputs.Add(c0);
        Assert.Equal(2 * 2 * 4, layer.parameters().Count());
        AssertEveryInputHasNonZeroGradient(Loss, inputs);

        var result = GradientCheck.Check(Loss, inputs);

        Assert.Equal(inputs.Sum(t => t.numel()), result.ElementsChecked);
        Assert.True(result.RelativeError <= Tolerance, $"{kind} {backend}: relative error {result.RelativeError:E3}, max abs {result.MaxAbsoluteError:E3}");
    }

    [Fact]
    public void Check_GradientDeliberatelyHalved_ReportsLargeRelativeError()
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        var x = randn(6, F64).requires_grad_();

        // y = Σ x², but autograd only sees one factor: it reports x instead of the true derivative 2x.
        var wrong = GradientCheck.Check(() => (x.detach() * x).sum(), new[] { x });
        var right = GradientCheck.Check(() => (x * x).sum(), new[] { x });

        Assert.True(wrong.RelativeError > 0.1, $"expected a large error, got {wrong.RelativeError:E3}");
        Assert.True(right.RelativeError <= Tolerance, $"the correct gradient should pass, got {right.RelativeError:E3}");
        Assert.Equal(6, wrong.ElementsChecked);
    }

    [Fact]
    public void Check_LayerWithDetachedInitialState_ReportsLargeRelativeError()
    {
        using var scope = NewDisposeScope();
        manual_seed(14);
        using var layer = Gru.Create(I, H, backend: RecurrentBackend.Composed, dtype: F64);
        var x = randn(T, N, I, F64);
        var h0 = randn(1, N, H, F64).requires_grad_();
        var weights = randn(T, N, H, F64);

        // The function depends on h0, but the graph is cut, so autograd reports a zero gradient for it.
        var result = GradientCheck.Check(() => (layer.forward(x, new RecurrentState(h0.detach())).Output * weights).sum(), new[] { h0 });

        Assert.True(result.RelativeError > 0.5, $"expected a large error, got {result.RelativeError:E3}");
        Assert.True(result.MaxAbsoluteError > 1e-3);
    }

    [Fact]
    public void Check_RestoresTheInputsItPerturbs()
    {
        using var scope = NewDisposeScope();
        manual_seed(15);
        using var cell = GruCell.Create(I, H, dtype: F64);
        var x = randn(N, I, F64).requires_grad_();
        var before = cell.parameters().Select(p => p.detach().clone()).Append(x.detach().clone()).ToList();

        GradientCheck.Check(() => cell.forward(x)[0].pow(3).sum(), cell.parameters().Cast<Tensor>().Append(x).ToList());

        var after = cell.parameters().Cast<Tensor>().Append(x).ToList();
        for (int i = 0; i < before.Count; i++) RnnAssert.Equal(before[i], after[i], $"input {i}");
    }

    [Fact]
    public void Check_InputWithoutRequiresGrad_ThrowsNamingInputs()
    {
        using var scope = NewDisposeScope();
        var x = randn(3, F64);

        RnnAssert.Throws("inputs", () => GradientCheck.Check(() => x.sum(), new[] { x }), "requires_grad");
    }

    [Fact]
    public void Check_NonScalarFunction_ThrowsNamingFunction()
    {
        using var scope = NewDisposeScope();
        var x = randn(3, F64).requires_grad_();

        RnnAssert.Throws("function", () => GradientCheck.Check(() => x * 2, new[] { x }), "[3]");
    }
}
