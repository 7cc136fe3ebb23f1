using RnnMl.Torch.Layers;
using TorchSharp;
using RnnMl.Torch.Tests.Support;
using static TorchSharp.torch;
using Kind = RnnMl.Torch.Tests.Layers.RecurrentLayerParityTests.Kind;

namespace RnnMl.Torch.Tests.Layers;

/// <summary>
/// The ragged fused backend (padded batch, per-sequence reversal, no packing) against the packed fused backend and the
/// composed backend on the same weights: outputs, final states and every gradient, for every cell, 1–3 layers, one or
/// two directions, either layout, with lengths that include 1 and T (and a repeated length).
/// </summary>
public class RecurrentLayerRaggedParityTests
{
    private const int I = 5, H = 6, T = 7, N = 5;
    private static readonly long[] Lengths = { T, 3, 1, 5, 3 };

    public static IEnumerable<object[]> Configurations()
    {
        foreach (Kind kind in Enum.GetValues<Kind>())
            foreach (int layers in new[] { 1, 2, 3 })
                foreach (bool bidirectional in new[] { false, true })
                    foreach (bool batchFirst in new[] { false, true })
                        yield return new object[] { kind, layers, bidirectional, batchFirst };
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void FusedRagged_EqualsPackedAndComposed_Float32(Kind kind, int layers, bool bidirectional, bool batchFirst)
        => AssertParity(kind, layers, bidirectional, batchFirst, ScalarType.Float32, 1e-5);

    [Theory]
    [MemberData(nameof(Configurations))]
    public void FusedRagged_EqualsPackedAndComposed_Float64(Kind kind, int layers, bool bidirectional, bool batchFirst)
        => AssertParity(kind, layers, bidirectional, batchFirst, ScalarType.Float64, 1e-10);

    [Theory]
    [InlineData(Kind.Lstm, false)]
    [InlineData(Kind.Lstm, true)]
    [InlineData(Kind.Gru, true)]
    [InlineData(Kind.RnnTanh, true)]
    public void FusedRagged_WithoutAutograd_EqualsComposed(Kind kind, bool bidirectional)
    {
        // Inference without an initial state: the path a deployed classifier takes.
        using var scope = NewDisposeScope();
        manual_seed(41);
        using var ragged = RecurrentLayerParityTests.Make(kind, I, 16, 2, bidirectional, true, RecurrentBackend.FusedRagged, ScalarType.Float32);
        using var composed = RecurrentLayerParityTests.Make(kind, I, 16, 2, bidirectional, true, RecurrentBackend.Composed, ScalarType.Float32);
        composed.load_state_dict(ragged.state_dict());
        ragged.eval();
        composed.eval();
        var x = randn(N, T, I);
        var lengths = tensor(Lengths);
        using var noGrad = no_grad();
        var (a, sa) = ragged.forward(x, lengths: lengths);
        var (b, sb) = composed.forward(x, lengths: lengths);
        RnnAssert.Close(b, a, 1e-5, "output");
        RnnAssert.Close(sb.H, sa.H, 1e-5, "h_n");
        if (kind == Kind.Lstm) RnnAssert.Close(sb.C!, sa.C!, 1e-5, "c_n");
    }

    [Fact]
    public void FusedRagged_AllLengthsT_EqualsFusedWithoutLengths()
    {
        using var scope = NewDisposeScope();
        manual_seed(43);
        using var layer = Lstm.Create(I, H, 2, bidirectional: true, backend: RecurrentBackend.FusedRagged);
        var x = randn(T, N, I);
        var (a, sa) = layer.forward(x, lengths: full(N, T, ScalarType.Int64));
        var (b, sb) = layer.forward(x);
        RnnAssert.Close(b, a, 0, "output");
        RnnAssert.Close(sb.H, sa.H, 0, "h_n");
        RnnAssert.Close(sb.C!, sa.C!, 0, "c_n");
    }

    private static void AssertParity(Kind kind, int layers, bool bidirectional, bool batchFirst, ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        manual_seed(71 + layers);
        using var ragged = RecurrentLayerParityTests.Make(kind, I, H, layers, bidirectional, batchFirst, RecurrentBackend.FusedRagged, dtype);
        using var packed = RecurrentLayerParityTests.Make(kind, I, H, layers, bidirectional, batchFirst, RecurrentBackend.Fused, dtype);
        using var composed = RecurrentLayerParityTests.Make(kind, I, H, layers, bidirectional, batchFirst, RecurrentBackend.Composed, dtype);
        packed.load_state_dict(ragged.state_dict());
        composed.load_state_dict(ragged.state_dict());

        int d = bidirectional ? 2 : 1;
        var x = batchFirst ? randn(N, T, I, dtype) : randn(T, N, I, dtype);
        var h0 = randn(layers * d, N, H, dtype);
        var c0 = kind == Kind.Lstm ? randn(layers * d, N, H, dtype) : null;
        var lengths = tensor(Lengths);
        // Random weights on the outputs and states make every element matter in the gradients.
        var wOut = randn(batchFirst ? new long[] { N, T, d * H } : new long[] { T, N, d * H }, dtype);
        var wH = randn(layers * d, N, H, dtype);
        var wC = randn(layers * d, N, H, dtype);

        var results = new List<Result>();
        foreach (var layer in new[] { ragged, packed, composed })
        {
            var xi = x.detach().requires_grad_(true);
            var hi = h0.detach().requires_grad_(true);
            var ci = c0?.detach().requires_grad_(true);
            var (output, state) = layer.forward(xi, new RecurrentState(hi, ci), lengths);
            var loss = (output * wOut).sum() + (state.H * wH).sum();
            if (state.C is not null) loss = loss + (state.C * wC).sum();
            loss.backward();
            var grads = layer.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
            results.Add(new Result(output, state, grads, xi.grad!.clone(), hi.grad!.clone(), ci?.grad!.clone()));
        }

        var r = results[0];
        foreach (var (reference, name) in new[] { (results[1], "packed"), (results[2], "composed") })
        {
            RnnAssert.Close(reference.Output, r.Output, tolerance, $"output vs {name}");
            RnnAssert.Close(reference.State.H, r.State.H, tolerance, $"h_n vs {name}");
            if (kind == Kind.Lstm) RnnAssert.Close(reference.State.C!, r.State.C!, tolerance, $"c_n vs {name}");
            RnnAssert.Close(reference.InputGrad, r.InputGrad, tolerance, $"input gradient vs {name}");
            RnnAssert.Close(reference.H0Grad, r.H0Grad, tolerance, $"h_0 gradient vs {name}");
            if (kind == Kind.Lstm) RnnAssert.Close(reference.C0Grad!, r.C0Grad!, tolerance, $"c_0 gradient vs {name}");
            Assert.Equal(reference.Grads.Keys.OrderBy(k => k), r.Grads.Keys.OrderBy(k => k));
            foreach (var p in r.Grads.Keys)
                RnnAssert.Close(reference.Grads[p], r.Grads[p], tolerance, $"gradient of {p} vs {name}");
        }
        Assert.Equal(layers * d * 4, r.Grads.Count);
    }

    private sealed record Result(Tensor Output, RecurrentState State, Dictionary<string, Tensor> Grads, Tensor InputGrad, Tensor H0Grad, Tensor? C0Grad);
}
