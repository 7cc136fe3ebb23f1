using RnnMl.Torch.Layers;
using TorchSharp;
using RnnMl.Torch.Tests.Support;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Layers;

/// <summary>The composed backend (our cells, step by step) against libtorch's fused kernels on the same weights.</summary>
public class RecurrentLayerParityTests
{
    public enum Kind { Lstm, Gru, RnnTanh, RnnRelu }

    public static IEnumerable<object[]> Configurations()
    {
        foreach (Kind kind in Enum.GetValues<Kind>())
            foreach (int layers in new[] { 1, 2, 3 })
                foreach (bool bidirectional in new[] { false, true })
                    foreach (bool withLengths in new[] { false, true })
                        foreach (bool batchFirst in new[] { false, true })
                            yield return new object[] { kind, layers, bidirectional, withLengths, batchFirst };
    }

    internal static RecurrentLayer Make(Kind kind, int input, int hidden, int layers, bool bidirectional, bool batchFirst,
        RecurrentBackend backend, ScalarType dtype) => kind switch
    {
        Kind.Lstm => Lstm.Create(input, hidden, layers, batchFirst: batchFirst, bidirectional: bidirectional, backend: backend, dtype: dtype),
        Kind.Gru => Gru.Create(input, hidden, layers, batchFirst: batchFirst, bidirectional: bidirectional, backend: backend, dtype: dtype),
        Kind.RnnTanh => Rnn.Create(input, hidden, layers, batchFirst: batchFirst, bidirectional: bidirectional, backend: backend, dtype: dtype),
        _ => Rnn.Create(input, hidden, layers, RnnMl.Torch.Cells.RnnNonlinearity.ReLU, batchFirst: batchFirst, bidirectional: bidirectional, backend: backend, dtype: dtype),
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Composed_EqualsFused_Float32(Kind kind, int layers, bool bidirectional, bool withLengths, bool batchFirst)
        => AssertParity(kind, layers, bidirectional, withLengths, batchFirst, ScalarType.Float32, 1e-5);

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Composed_EqualsFused_Float64(Kind kind, int layers, bool bidirectional, bool withLengths, bool batchFirst)
        => AssertParity(kind, layers, bidirectional, withLengths, batchFirst, ScalarType.Float64, 1e-10);

    [Fact]
    public void Auto_FollowsTheMeasuredDecisionTable()
    {
        // Training tunes the allocator process-wide (other tests do it in parallel), so settle it first.
        bool tuned = NativeAllocator.Tune();
        using var lstm = Lstm.Create(3, 4);
        Assert.Equal(tuned ? RecurrentBackend.Fused : RecurrentBackend.Composed, lstm.ResolveBackend(training: true, ragged: false));
        Assert.Equal(tuned ? RecurrentBackend.FusedRagged : RecurrentBackend.Composed, lstm.ResolveBackend(training: true, ragged: true));
        Assert.Equal(RecurrentBackend.Fused, lstm.ResolveBackend(training: false, ragged: false));
        Assert.Equal(RecurrentBackend.FusedRagged, lstm.ResolveBackend(training: false, ragged: true));
        Assert.Equal(tuned ? RecurrentBackend.Fused : RecurrentBackend.Composed, lstm.ActiveBackend);
        using (no_grad()) Assert.Equal(RecurrentBackend.Fused, lstm.ActiveBackend);
        foreach (bool bidirectional in new[] { false, true })
        {
            Assert.Equal(RecurrentBackend.Composed, AutoBackendTable.Choose(FusedKind.Lstm, training: true, ragged: false, bidirectional, allocatorTuned: false));
            Assert.Equal(RecurrentBackend.Composed, AutoBackendTable.Choose(FusedKind.Lstm, training: true, ragged: true, bidirectional, allocatorTuned: false));
            Assert.Equal(RecurrentBackend.Fused, AutoBackendTable.Choose(FusedKind.Lstm, training: true, ragged: false, bidirectional, allocatorTuned: true));
            Assert.Equal(RecurrentBackend.FusedRagged, AutoBackendTable.Choose(FusedKind.Lstm, training: true, ragged: true, bidirectional, allocatorTuned: true));
            foreach (var kind in new[] { FusedKind.Gru, FusedKind.Rnn })
                foreach (bool training in new[] { false, true })
                    foreach (bool withLengths in new[] { false, true })
                        Assert.Equal(AutoBackendTable.Choose(kind, training, withLengths, bidirectional, allocatorTuned: false),
                            AutoBackendTable.Choose(kind, training, withLengths, bidirectional, allocatorTuned: true));
        }
        foreach (var layer in new RecurrentLayer[] { Gru.Create(3, 4), Rnn.Create(3, 4) })
        {
            using (layer)
            {
                Assert.Equal(RecurrentBackend.Fused, layer.ResolveBackend(training: false, ragged: false));
                Assert.Equal(layer is Rnn ? RecurrentBackend.Composed : RecurrentBackend.Fused, layer.ResolveBackend(training: true, ragged: false));
                Assert.Equal(RecurrentBackend.Fused, layer.ResolveBackend(training: false, ragged: true));
                Assert.Equal(RecurrentBackend.Composed, layer.ResolveBackend(training: true, ragged: true));
            }
        }
        using (var bidirectionalRnn = Rnn.Create(3, 4, bidirectional: true))
        {
            Assert.Equal(RecurrentBackend.Composed, bidirectionalRnn.ResolveBackend(training: false, ragged: true));
            Assert.Equal(RecurrentBackend.Fused, bidirectionalRnn.ResolveBackend(training: false, ragged: false));
        }
        using (var bidirectionalGru = Gru.Create(3, 4, bidirectional: true))
        {
            Assert.Equal(RecurrentBackend.Composed, bidirectionalGru.ResolveBackend(training: false, ragged: true));
            Assert.Equal(RecurrentBackend.Fused, bidirectionalGru.ResolveBackend(training: false, ragged: false));
        }
        using var composed = Gru.Create(3, 4, backend: RecurrentBackend.Composed);
        Assert.Equal(RecurrentBackend.Composed, composed.ResolveBackend(training: false, ragged: true));
        using var ragged = Lstm.Create(3, 4, backend: RecurrentBackend.FusedRagged);
        Assert.Equal(RecurrentBackend.FusedRagged, ragged.ResolveBackend(training: true, ragged: false));
    }

    [Fact]
    public void Parity_DetectsADifferentWeight()
    {
        // Guards the parity check itself: one changed weight must show up as a difference.
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var fused = Lstm.Create(5, 6, backend: RecurrentBackend.Fused);
        using var composed = Lstm.Create(5, 6, backend: RecurrentBackend.Composed);
        composed.load_state_dict(fused.state_dict());
        using (no_grad()) composed.get_parameter("weight_hh_l0")![0, 0].add_(1e-3);
        var x = randn(7, 4, 5);
        var (a, _) = fused.forward(x);
        var (b, _) = composed.forward(x);
        Assert.True((a - b).abs().max().item<float>() > 1e-6f);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Fused_WithoutAutograd_EqualsComposed(Kind kind, int layers, bool bidirectional, bool withLengths, bool batchFirst)
    {
        // Inference (no_grad, eval, no initial state) once took a libtorch LSTM kernel that disagreed with the equations.
        using var scope = NewDisposeScope();
        manual_seed(29 + layers);
        const int I = 5, H = 6, T = 7, N = 4;
        using var fused = Make(kind, I, H, layers, bidirectional, batchFirst, RecurrentBackend.Fused, ScalarType.Float32);
        using var composed = Make(kind, I, H, layers, bidirectional, batchFirst, RecurrentBackend.Composed, ScalarType.Float32);
        composed.load_state_dict(fused.state_dict());
        fused.eval();
        composed.eval();
        var x = batchFirst ? randn(N, T, I) : randn(T, N, I);
        var lengths = withLengths ? tensor(new long[] { T, 3, 1, 5 }) : null;
        using var noGrad = no_grad();
        var (a, sa) = fused.forward(x, lengths: lengths);
        var (b, sb) = composed.forward(x, lengths: lengths);
        RnnAssert.Close(a, b, 1e-5, "output");
        RnnAssert.Close(sa.H, sb.H, 1e-5, "h_n");
        if (kind == Kind.Lstm) RnnAssert.Close(sa.C!, sb.C!, 1e-5, "c_n");
    }

    [Theory]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(48)]
    public void FusedLstm_WithoutAutogradOrLengths_EqualsComposed_AtEveryHiddenSize(int hidden)
    {
        // libtorch 2.10's CPU inference LSTM kernel (no_grad, unpacked input) is off by 0.1-0.3 at hidden 8, 16 and 48
        // on this project's machines and exact at 24; the layer must give the equations' numbers at every size.
        using var scope = NewDisposeScope();
        manual_seed(hidden);
        using var fused = Lstm.Create(5, hidden, batchFirst: true, backend: RecurrentBackend.Fused);
        using var composed = Lstm.Create(5, hidden, batchFirst: true, backend: RecurrentBackend.Composed);
        composed.load_state_dict(fused.state_dict());
        fused.eval();
        composed.eval();
        var x = randn(3, 6, 5);
        using var noGrad = no_grad();
        var (a, sa) = fused.forward(x);
        var (b, sb) = composed.forward(x);
        RnnAssert.Close(a, b, 1e-5, "output");
        RnnAssert.Close(sa.H, sb.H, 1e-5, "h_n");
        RnnAssert.Close(sa.C!, sb.C!, 1e-5, "c_n");
    }

    private static void AssertParity(Kind kind, int layers, bool bidirectional, bool withLengths, bool batchFirst, ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        manual_seed(17 + layers);
        const int I = 5, H = 6, T = 7, N = 4;
        using var fused = Make(kind, I, H, layers, bidirectional, batchFirst, RecurrentBackend.Fused, dtype);
        using var composed = Make(kind, I, H, layers, bidirectional, batchFirst, RecurrentBackend.Composed, dtype);
        composed.load_state_dict(fused.state_dict());
        Assert.Equal(RecurrentBackend.Fused, fused.ActiveBackend);
        Assert.Equal(RecurrentBackend.Composed, composed.ActiveBackend);

        int d = bidirectional ? 2 : 1;
        var x = batchFirst ? randn(N, T, I, dtype) : randn(T, N, I, dtype);
        var h0 = randn(layers * d, N, H, dtype);
        var c0 = kind == Kind.Lstm ? randn(layers * d, N, H, dtype) : null;
        var lengths = withLengths ? tensor(new long[] { T, 3, 1, 5 }) : null;
        // Random weights on the outputs make every element matter in the gradients.
        var wOut = randn(batchFirst ? new long[] { N, T, d * H } : new long[] { T, N, d * H }, dtype);
        var wH = randn(layers * d, N, H, dtype);

        var results = new List<(Tensor output, RecurrentState state, Dictionary<string, Tensor> grads, Tensor inputGrad, Tensor h0Grad)>();
        foreach (var layer in new RecurrentLayer[] { fused, composed })
        {
            var xi = x.detach().requires_grad_(true);
            var hi = h0.detach().requires_grad_(true);
            var ci = c0?.detach().requires_grad_(true);
            var (output, state) = layer.forward(xi, new RecurrentState(hi, ci), lengths);
            var loss = (output * wOut).sum() + (state.H * wH).sum();
            if (state.C is not null) loss = loss + (state.C * wH).sum();
            loss.backward();
            var grads = layer.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
            results.Add((output, state, grads, xi.grad!.clone(), hi.grad!.clone()));
        }

        var (f, c) = (results[0], results[1]);
        RnnAssert.Close(f.output, c.output, tolerance, "output");
        RnnAssert.Close(f.state.H, c.state.H, tolerance, "h_n");
        if (kind == Kind.Lstm) RnnAssert.Close(f.state.C!, c.state.C!, tolerance, "c_n");
        RnnAssert.Close(f.inputGrad, c.inputGrad, tolerance, "input gradient");
        RnnAssert.Close(f.h0Grad, c.h0Grad, tolerance, "h_0 gradient");
        Assert.Equal(f.grads.Keys.OrderBy(k => k), c.grads.Keys.OrderBy(k => k));
        Assert.Equal(layers * d * 4, f.grads.Count);
        foreach (var name in f.grads.Keys)
            RnnAssert.Close(f.grads[name], c.grads[name], tolerance, $"gradient of {name}");
    }
}
