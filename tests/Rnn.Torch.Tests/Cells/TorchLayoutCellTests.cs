using RnnMl.Torch.Cells;
using TorchSharp;
using RnnMl.Torch.Tests.Support;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Cells;

/// <summary>Our cells, written from the equations, against libtorch's own cells on the same weights.</summary>
public class TorchLayoutCellTests
{
    public enum Kind { Lstm, Gru, RnnTanh, RnnRelu }

    private static TorchLayoutCell Ours(Kind kind, int i, int h, bool bias, ScalarType dtype) => kind switch
    {
        Kind.Lstm => LstmCell.Create(i, h, bias, dtype),
        Kind.Gru => GruCell.Create(i, h, bias, dtype),
        Kind.RnnTanh => RnnCell.Create(i, h, bias, RnnNonlinearity.Tanh, dtype),
        _ => RnnCell.Create(i, h, bias, RnnNonlinearity.ReLU, dtype),
    };

    private static nn.Module Reference(Kind kind, int i, int h, bool bias, ScalarType dtype) => kind switch
    {
        Kind.Lstm => nn.LSTMCell(i, h, bias, dtype: dtype),
        Kind.Gru => nn.GRUCell(i, h, bias, dtype: dtype),
        Kind.RnnTanh => nn.RNNCell(i, h, nn.NonLinearities.Tanh, bias, dtype: dtype),
        _ => nn.RNNCell(i, h, nn.NonLinearities.ReLU, bias, dtype: dtype),
    };

    private static Tensor[] RunReference(nn.Module reference, Tensor x, Tensor[] state) => reference switch
    {
        TorchSharp.Modules.LSTMCell lstm => ToArray(lstm.call(x, (state[0], state[1]))),
        TorchSharp.Modules.GRUCell gru => new[] { gru.call(x, state[0]) },
        TorchSharp.Modules.RNNCell rnn => new[] { rnn.call(x, state[0]) },
        _ => throw new InvalidOperationException(),
    };

    private static Tensor[] ToArray((Tensor h, Tensor c) t) => new[] { t.h, t.c };

    public static IEnumerable<object[]> Cases() =>
        from Kind k in Enum.GetValues<Kind>()
        from bool bias in new[] { true, false }
        select new object[] { k, bias };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Step_EqualsLibtorchCell_OutputsAndGradients(Kind kind, bool bias)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        const int I = 5, H = 7, N = 3;
        using var ours = Ours(kind, I, H, bias, ScalarType.Float64);
        using var reference = Reference(kind, I, H, bias, ScalarType.Float64);
        reference.load_state_dict(ours.state_dict());

        var x = randn(N, I, ScalarType.Float64);
        var state = Enumerable.Range(0, ours.StateCount).Select(_ => randn(N, H, ScalarType.Float64)).ToArray();
        var weights = Enumerable.Range(0, ours.StateCount).Select(_ => randn(N, H, ScalarType.Float64)).ToArray();

        Tensor[] Run(Func<Tensor, Tensor[], Tensor[]> step, nn.Module module, out Tensor xGrad, out Dictionary<string, Tensor> grads)
        {
            var xi = x.detach().requires_grad_(true);
            var si = state.Select(s => s.detach().requires_grad_(true)).ToArray();
            var outs = step(xi, si);
            outs.Select((o, k) => (o * weights[k]).sum()).Aggregate((a, b) => a + b).backward();
            xGrad = xi.grad!.clone();
            grads = module.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
            return outs;
        }

        var a = Run((xi, si) => ours.forward(xi, si), ours, out var aX, out var aG);
        var b = Run((xi, si) => RunReference(reference, xi, si), reference, out var bX, out var bG);
        for (int k = 0; k < a.Length; k++) RnnAssert.Close(b[k], a[k], 1e-12, $"state[{k}]");
        RnnAssert.Close(bX, aX, 1e-12, "input gradient");
        Assert.Equal(bG.Keys.OrderBy(n => n), aG.Keys.OrderBy(n => n));
        foreach (var name in aG.Keys) RnnAssert.Close(bG[name], aG[name], 1e-12, $"gradient of {name}");
    }

    [Theory]
    [InlineData(Kind.Lstm, 4)]
    [InlineData(Kind.Gru, 3)]
    [InlineData(Kind.RnnTanh, 1)]
    public void Parameters_HavePyTorchNamesAndShapes(Kind kind, int gates)
    {
        using var cell = Ours(kind, 5, 7, true, ScalarType.Float32);
        var shapes = cell.named_parameters().ToDictionary(p => p.name, p => string.Join("x", p.parameter.shape));
        Assert.Equal(new[] { "weight_ih", "weight_hh", "bias_ih", "bias_hh" }, shapes.Keys.ToArray());
        Assert.Equal($"{gates * 7}x5", shapes["weight_ih"]);
        Assert.Equal($"{gates * 7}x7", shapes["weight_hh"]);
        Assert.Equal($"{gates * 7}", shapes["bias_ih"]);
        Assert.Equal($"{gates * 7}", shapes["bias_hh"]);
        Assert.Equal(gates, cell.GateCount);
    }

    [Fact]
    public void Create_WithoutBias_HasNoBiasParameters()
    {
        using var cell = GruCell.Create(5, 7, bias: false);
        Assert.Null(cell.bias_ih);
        Assert.Null(cell.bias_hh);
        Assert.Equal(new[] { "weight_ih", "weight_hh" }, cell.named_parameters().Select(p => p.name).ToArray());
    }

    [Fact]
    public void ResetParameters_DrawsFromUniformOneOverSqrtHidden()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        const int H = 16;
        using var cell = LstmCell.Create(32, H);
        double bound = 1.0 / Math.Sqrt(H);
        var all = cat(cell.parameters().Select(p => p.detach().flatten()).ToArray());
        Assert.True(all.abs().max().item<float>() <= bound);
        // 4H·(I + H + 2) = 3,200 draws: the extremes come within 2% of the bound and the mean is near 0.
        Assert.True(all.abs().max().item<float>() > 0.98 * bound);
        Assert.True(Math.Abs(all.mean().item<float>()) < 0.02);
        var before = all.clone();
        cell.ResetParameters();
        var after = cat(cell.parameters().Select(p => p.detach().flatten()).ToArray());
        Assert.False(before.allclose(after));
    }

    [Fact]
    public void Forward_WithoutState_EqualsExplicitZeros()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var cell = LstmCell.Create(5, 7);
        var x = randn(3, 5);
        var a = cell.forward(x);
        var b = cell.forward(x, new[] { zeros(3, 7), zeros(3, 7) });
        RnnAssert.Close(b[0], a[0], 0, "h");
        RnnAssert.Close(b[1], a[1], 0, "c");
    }
}
