using RnnMl.Torch.Layers;
using RnnMl.Torch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Layers;

/// <summary>
/// The composed backend with lengths (sorted by length, each step on its running rows only) against brute force: each
/// sequence run alone, unpadded, through the full-length composed loop. Outputs, final states and every gradient (the
/// batch's parameter gradients are the sum of the sequences' own), in float64, with lengths in any order.
/// </summary>
public class ComposedRaggedTests
{
    private const int I = 3, H = 4, T = 7;

    public static IEnumerable<object[]> Cases()
    {
        var orders = new[]
        {
            new long[] { 7, 5, 5, 3, 1 },   // already longest first (no reordering)
            new long[] { 1, 3, 5, 5, 6 },   // shortest first, no sequence of length T
            new long[] { 3, 7, 1, 5, 3, 2 }, // mixed, with a tie
        };
        foreach (var kind in Enum.GetValues<LayerKind>())
            foreach (var lengths in orders)
                foreach (bool bidirectional in new[] { false, true })
                    yield return new object[] { kind, lengths, bidirectional, kind == LayerKind.Lstm && !bidirectional };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ComposedWithLengths_EqualsEachSequenceAlone_OutputsStatesAndEveryGradient(LayerKind kind, long[] lengths, bool bidirectional, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        manual_seed(131);
        int n = lengths.Length, layers = 2, d = bidirectional ? 2 : 1;
        using var layer = TestLayers.Create(kind, I, H, numLayers: layers, batchFirst: batchFirst, bidirectional: bidirectional,
            backend: RecurrentBackend.Composed, dtype: ScalarType.Float64);
        var x = TestLayers.Input(layer, T, n, ScalarType.Float64);
        var h0 = randn(layers * d, n, H, ScalarType.Float64);
        var c0 = layer.StateCount == 2 ? randn(layers * d, n, H, ScalarType.Float64) : null;
        var wOut = randn(x.shape[0], x.shape[1], d * H, ScalarType.Float64);
        var wH = randn(layers * d, n, H, ScalarType.Float64);
        var wC = randn(layers * d, n, H, ScalarType.Float64);

        // The batch, with lengths.
        var xb = x.detach().requires_grad_(true);
        var hb = h0.detach().requires_grad_(true);
        var cb = c0?.detach().requires_grad_(true);
        var (output, state) = layer.forward(xb, new RecurrentState(hb, cb), tensor(lengths));
        var loss = (output * wOut).sum() + (state.H * wH).sum();
        if (cb is not null) loss = loss + (state.C! * wC).sum();
        loss.backward();
        var batchGrads = layer.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        layer.zero_grad();

        // Each sequence alone, without lengths; parameter gradients accumulate over the sequences.
        var xGrad = zeros_like(x);
        var hGrad = zeros_like(h0);
        var cGrad = c0 is null ? null : zeros_like(c0);
        for (int k = 0; k < n; k++)
        {
            var xs = TestLayers.AsBatchOfOne(TestLayers.Sequence(x, batchFirst, k, lengths[k]), batchFirst).detach().requires_grad_(true);
            var hs = h0.narrow(1, k, 1).detach().requires_grad_(true);
            var cs = c0?.narrow(1, k, 1).detach().requires_grad_(true);
            var (o, s) = layer.forward(xs, new RecurrentState(hs, cs));
            var w = TestLayers.AsBatchOfOne(TestLayers.Sequence(wOut, batchFirst, k, lengths[k]), batchFirst);
            var lossK = (o * w).sum() + (s.H * wH.narrow(1, k, 1)).sum();
            if (cs is not null) lossK = lossK + (s.C! * wC.narrow(1, k, 1)).sum();
            lossK.backward();

            var batchOutput = TestLayers.Sequence(output, batchFirst, k, lengths[k]);
            RnnAssert.Close(o.squeeze(batchFirst ? 0 : 1), batchOutput, 1e-10, $"output of sequence {k}");
            RnnAssert.Close(s.H, state.H.narrow(1, k, 1), 1e-10, $"h_n of sequence {k}");
            if (cs is not null) RnnAssert.Close(s.C!, state.C!.narrow(1, k, 1), 1e-10, $"c_n of sequence {k}");
            TestLayers.Sequence(xGrad, batchFirst, k, lengths[k]).copy_(xs.grad!.squeeze(batchFirst ? 0 : 1));
            hGrad.narrow(1, k, 1).copy_(hs.grad!);
            if (cs is not null) cGrad!.narrow(1, k, 1).copy_(cs.grad!);
            if (lengths[k] < T)
                Assert.Equal(0.0, TestLayers.Sequence(output, batchFirst, k, T).narrow(0, lengths[k], T - lengths[k]).abs().max().item<double>());
        }
        RnnAssert.Close(xGrad, xb.grad!, 1e-10, "input gradient (zero at padded steps)");
        RnnAssert.Close(hGrad, hb.grad!, 1e-10, "h_0 gradient");
        if (cb is not null) RnnAssert.Close(cGrad!, cb.grad!, 1e-10, "c_0 gradient");
        foreach (var (name, p) in layer.named_parameters())
            RnnAssert.Close(p.grad!, batchGrads[name], 1e-10, $"gradient of {name}");
        Assert.Equal(layers * d * 4, batchGrads.Count);
    }

    [Fact]
    public void ComposedWithLengths_WithoutInitialState_EqualsExplicitZeros()
    {
        // Rows that join the reverse direction late start from zeros made on the spot rather than a given state.
        using var scope = NewDisposeScope();
        manual_seed(137);
        using var layer = TestLayers.Create(LayerKind.Lstm, I, H, numLayers: 2, bidirectional: true, dtype: ScalarType.Float64);
        var x = TestLayers.Input(layer, T, 4, ScalarType.Float64);
        var lengths = tensor(new long[] { 2, 7, 4, 2 });
        var (a, sa) = layer.forward(x, null, lengths);
        var (b, sb) = layer.forward(x, TestLayers.ZeroState(layer, 4), lengths);
        RnnAssert.Close(b, a, 0, "output");
        RnnAssert.Close(sb.H, sa.H, 0, "h_n");
        RnnAssert.Close(sb.C!, sa.C!, 0, "c_n");
    }
}
