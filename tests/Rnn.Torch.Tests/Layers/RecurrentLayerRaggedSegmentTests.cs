using RnnMl.Torch.Layers;
using RnnMl.Torch.Tests.Support;
using static TorchSharp.torch;
using Kind = RnnMl.Torch.Tests.Layers.RecurrentLayerParityTests.Kind;

namespace RnnMl.Torch.Tests.Layers;

/// <summary>
/// The ragged fused backend cut into many segments (a small call cost forced through
/// <see cref="RaggedSegments.CallCostOverride"/>): rows in unsorted order, many distinct lengths, most of them ending
/// inside a segment (LSTM c_n by <see cref="LstmCellReplay"/>), nonzero h0 and c0. Outputs, final states and every
/// gradient against the composed backend (and the packed fused one), float32 and float64.
/// </summary>
public class RecurrentLayerRaggedSegmentTests
{
    // The batch (also RecurrentLayerOutputsAndHTests'): unsorted rows, many distinct lengths, two of them T.
    internal const int I = 4, H = 5, T = 13, N = 11;
    private const double CallCost = 5, ReplayCost = 0.2;
    internal static readonly long[] Lengths = { 7, 13, 3, 9, 1, 11, 5, 13, 8, 10, 6 };

    public static IEnumerable<object[]> Configurations()
    {
        foreach (Kind kind in new[] { Kind.Lstm, Kind.Gru, Kind.RnnTanh })
            foreach (int layers in new[] { 1, 2 })
                foreach (bool bidirectional in new[] { false, true })
                    yield return new object[] { kind, layers, bidirectional, layers == 2 };
    }

    [Fact]
    public void ForcedCallCost_GivesManySegmentsWithRowsEndingInside()
    {
        using var costs = new SegmentCostOverride(CallCost, ReplayCost);
        var segments = new RaggedSegments(Lengths, CPU, replaysCellState: true);
        var replay = new LstmCellReplay(segments, CPU);
        Assert.False(segments.IsSorted);
        Assert.InRange(segments.Count, 3, 6);
        Assert.InRange(replay.Rows, 4, N - 3);
        // Some replayed rows are in a later segment (not only the first, which starts at 0).
        Assert.Contains(Lengths, l => l > segments.Cuts[0] && !segments.Cuts.Contains(l));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void ManySegments_EqualComposedAndPacked_Float32(Kind kind, int layers, bool bidirectional, bool batchFirst)
        => AssertParity(kind, layers, bidirectional, batchFirst, ScalarType.Float32, 1e-5);

    [Theory]
    [MemberData(nameof(Configurations))]
    public void ManySegments_EqualComposedAndPacked_Float64(Kind kind, int layers, bool bidirectional, bool batchFirst)
        => AssertParity(kind, layers, bidirectional, batchFirst, ScalarType.Float64, 1e-10);

    [Fact]
    public void ManySegments_WithoutAutograd_EqualComposed()
    {
        // Inference at hidden 8 also takes the packed route around libtorch's faulty kernel inside each segment call.
        using var costs = new SegmentCostOverride(CallCost, ReplayCost);
        using var scope = NewDisposeScope();
        manual_seed(5);
        foreach (int hidden in new[] { 8, 24 })
        {
            var (ragged, composed) = LstmPair(hidden, 2, true, true, ScalarType.Float32);
            using var _ = ragged;
            using var __ = composed;
            ragged.eval();
            composed.eval();
            var x = randn(N, T, I);
            using var noGrad = no_grad();
            var (a, sa) = ragged.forward(x, lengths: tensor(Lengths));
            var (b, sb) = composed.forward(x, lengths: tensor(Lengths));
            RnnAssert.Close(b, a, 1e-5, $"output at hidden {hidden}");
            RnnAssert.Close(sb.H, sa.H, 1e-5, $"h_n at hidden {hidden}");
            RnnAssert.Close(sb.C!, sa.C!, 1e-5, $"c_n at hidden {hidden}");
        }
    }

    /// <summary>A FusedRagged LSTM layer (input size I) and a Composed one holding the same weights (seed torch first).</summary>
    internal static (RecurrentLayer Ragged, RecurrentLayer Composed) LstmPair(int hidden, int layers, bool bidirectional, bool batchFirst, ScalarType dtype)
    {
        var ragged = RecurrentLayerParityTests.Make(Kind.Lstm, I, hidden, layers, bidirectional, batchFirst, RecurrentBackend.FusedRagged, dtype);
        var composed = RecurrentLayerParityTests.Make(Kind.Lstm, I, hidden, layers, bidirectional, batchFirst, RecurrentBackend.Composed, dtype);
        composed.load_state_dict(ragged.state_dict());
        return (ragged, composed);
    }

    private static void AssertParity(Kind kind, int layers, bool bidirectional, bool batchFirst, ScalarType dtype, double tolerance)
    {
        using var costs = new SegmentCostOverride(CallCost, ReplayCost);
        using var scope = NewDisposeScope();
        manual_seed(17 + layers);
        var backends = new[] { RecurrentBackend.FusedRagged, RecurrentBackend.Composed, RecurrentBackend.Fused };
        var made = backends.Select(b => RecurrentLayerParityTests.Make(kind, I, H, layers, bidirectional, batchFirst, b, dtype)).ToArray();
        foreach (var layer in made.Skip(1)) layer.load_state_dict(made[0].state_dict());

        int d = bidirectional ? 2 : 1;
        var x = batchFirst ? randn(N, T, I, dtype) : randn(T, N, I, dtype);
        var h0 = randn(layers * d, N, H, dtype);
        var c0 = kind == Kind.Lstm ? randn(layers * d, N, H, dtype) : null;
        var wOut = randn(batchFirst ? new long[] { N, T, d * H } : new long[] { T, N, d * H }, dtype);
        var wH = randn(layers * d, N, H, dtype);
        var wC = randn(layers * d, N, H, dtype);

        var results = made.Select(layer =>
        {
            var xi = x.detach().requires_grad_(true);
            var hi = h0.detach().requires_grad_(true);
            var ci = c0?.detach().requires_grad_(true);
            var (output, state) = layer.forward(xi, new RecurrentState(hi, ci), tensor(Lengths));
            var loss = (output * wOut).sum() + (state.H * wH).sum();
            if (state.C is not null) loss = loss + (state.C * wC).sum();
            loss.backward();
            var named = new List<(string, Tensor)> { ("output", output), ("h_n", state.H), ("input gradient", xi.grad!), ("h_0 gradient", hi.grad!) };
            if (ci is not null) named.AddRange(new[] { ("c_n", state.C!), ("c_0 gradient", ci.grad!) });
            named.AddRange(layer.named_parameters().Select(p => ($"gradient of {p.name}", p.parameter.grad!)));
            return named;
        }).ToArray();
        foreach (var layer in made) layer.Dispose();

        for (int r = 1; r < results.Length; r++)
        {
            Assert.Equal(results[r].Count, results[0].Count);
            for (int i = 0; i < results[0].Count; i++)
            {
                Assert.Equal(results[r][i].Item1, results[0][i].Item1);
                RnnAssert.Close(results[r][i].Item2, results[0][i].Item2, tolerance, $"{results[0][i].Item1} vs {backends[r]}");
            }
        }
        Assert.Equal(4 + (kind == Kind.Lstm ? 2 : 0) + layers * d * 4, results[0].Count);
    }
}
