using RnnMl.Torch.Layers;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

/// <summary>
/// <see cref="TruncatedBptt"/>: the forward values of a chunked run are those of one pass over the whole sequence;
/// gradients stop at every cut; the carried state is kept between steps and forgotten on reset.
/// </summary>
public class TruncatedBpttTests
{
    // T = 12 in chunks of k = 5: 5 + 5 + 2, so the last chunk is short.
    private const int I = 3, H = 4, L = 2, N = 3, T = 12, K = 5, LastCut = 10;
    private const ScalarType F64 = ScalarType.Float64;

    private static readonly RecurrentBackend[] Backends = { RecurrentBackend.Fused, RecurrentBackend.Composed };

    public static TheoryData<LayerKind, RecurrentBackend, bool> Cases()
    {
        var data = new TheoryData<LayerKind, RecurrentBackend, bool>();
        foreach (var k in new[] { LayerKind.Lstm, LayerKind.Gru })
            foreach (var b in Backends)
                foreach (var bf in new[] { false, true }) data.Add(k, b, bf);
        foreach (var bf in new[] { false, true }) data.Add(LayerKind.Lstm, RecurrentBackend.ComposedGemm, bf);
        return data;
    }

    private static RecurrentLayer Layer(LayerKind kind, RecurrentBackend backend, bool batchFirst)
        => TestLayers.Create(kind, I, H, L, batchFirst: batchFirst, backend: backend, dtype: F64);

    private static Tensor Steps(Tensor x, bool batchFirst, long start, long length) => x.narrow(batchFirst ? 1 : 0, start, length);

    private static void AssertStatesClose(RecurrentState expected, RecurrentState actual, double tolerance)
    {
        RnnAssert.Close(expected.H, actual.H, tolerance, "h_n");
        Assert.Equal(expected.C is null, actual.C is null);
        if (expected.C is not null) RnnAssert.Close(expected.C, actual.C!, tolerance, "c_n");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_InChunksWithShortLastChunk_EqualsOnePassOverWholeSequence(LayerKind kind, RecurrentBackend backend, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        using var layer = Layer(kind, backend, batchFirst);
        var x = TestLayers.Input(layer, T, N);
        var s0 = new RecurrentState(randn(L, N, H, F64), kind == LayerKind.Lstm ? randn(L, N, H, F64) : null);

        foreach (var initial in new[] { null, s0 })
        {
            var (expected, expectedState) = layer.forward(x, initial);
            using var tbptt = TruncatedBptt.Create(layer, K);

            var output = tbptt.Forward(x, initial);

            RnnAssert.Close(expected, output, 1e-12, "output");
            Assert.NotNull(tbptt.State);
            AssertStatesClose(expectedState, tbptt.State!, 1e-12);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_LossOnLastChunk_NoGradientReachesStepsBeforeTheLastCut(LayerKind kind, RecurrentBackend backend, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        using var layer = Layer(kind, backend, batchFirst);
        var x = TestLayers.Input(layer, T, N).requires_grad_();
        using var tbptt = TruncatedBptt.Create(layer, K);
        var lastWeights = randn(Steps(x, batchFirst, LastCut, T - LastCut).shape[0..2].Append(H).ToArray(), F64);

        var output = tbptt.Forward(x);
        (Steps(output, batchFirst, LastCut, T - LastCut) * lastWeights).sum().backward();

        Assert.NotNull(x.grad);
        var grad = x.grad!;
        for (int t = 0; t < T; t++)
        {
            double norm = Steps(grad, batchFirst, t, 1).abs().sum().item<double>();
            if (t < LastCut) Assert.True(norm == 0, $"step {t} is before the last cut but got gradient {norm:E3}");
            else Assert.True(norm > 0, $"step {t} is inside the last chunk but got no gradient");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_LossOnLastChunk_ParameterGradientsEqualLastChunkAloneFromDetachedState(LayerKind kind, RecurrentBackend backend, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        manual_seed(23);
        using var layer = Layer(kind, backend, batchFirst);
        var x = TestLayers.Input(layer, T, N);
        var lastWeights = randn(Steps(x, batchFirst, LastCut, T - LastCut).shape[0..2].Append(H).ToArray(), F64);
        using var tbptt = TruncatedBptt.Create(layer, K);

        var output = tbptt.Forward(x);
        (Steps(output, batchFirst, LastCut, T - LastCut) * lastWeights).sum().backward();
        var chunked = layer.parameters().Select(p => p.grad!.clone()).ToList();

        foreach (var p in layer.parameters()) p.grad!.zero_();
        RecurrentState carried;
        using (no_grad()) carried = layer.forward(Steps(x, batchFirst, 0, LastCut)).State;
        var (alone, _) = layer.forward(Steps(x, batchFirst, LastCut, T - LastCut), carried);
        (alone * lastWeights).sum().backward();

        var reference = layer.parameters().ToList();
        Assert.Equal(reference.Count, chunked.Count);
        for (int i = 0; i < reference.Count; i++)
        {
            Assert.True(reference[i].grad!.abs().max().item<double>() > 0, $"parameter {i} got no gradient");
            RnnAssert.Close(reference[i].grad!, chunked[i], 1e-12, $"gradient of parameter {i}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Step_CarriesDetachedStateBetweenCalls_AndResetForgetsIt(LayerKind kind, RecurrentBackend backend, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        manual_seed(24);
        using var layer = Layer(kind, backend, batchFirst);
        var x = TestLayers.Input(layer, 2 * K, N);
        var first = Steps(x, batchFirst, 0, K);
        var second = Steps(x, batchFirst, K, K);
        var (_, afterFirst) = layer.forward(first);
        var (secondFromCarried, _) = layer.forward(second, afterFirst);
        var (secondFromZeros, _) = layer.forward(second);
        using var tbptt = TruncatedBptt.Create(layer, K);
        Assert.Null(tbptt.State);

        tbptt.Step(first);
        Assert.NotNull(tbptt.State);
        Assert.False(tbptt.State!.H.requires_grad, "the carried state must be cut from the graph");
        AssertStatesClose(afterFirst, tbptt.State!, 1e-12);
        var carriedOutput = tbptt.Step(second);

        RnnAssert.Close(secondFromCarried, carriedOutput, 1e-12, "second chunk after the first");
        Assert.True((secondFromCarried - secondFromZeros).abs().max().item<double>() > 1e-3,
            "the premise: starting from the carried state must differ from starting from zeros");

        tbptt.Reset();
        Assert.Null(tbptt.State);
        var resetOutput = tbptt.Step(second);

        RnnAssert.Close(secondFromZeros, resetOutput, 1e-12, "second chunk after reset");
    }

    [Fact]
    public void Step_WithInitialState_OverridesTheCarriedState()
    {
        using var scope = NewDisposeScope();
        manual_seed(25);
        using var layer = Gru.Create(I, H, L, dtype: F64);
        var x = randn(K, N, I, F64);
        var s0 = new RecurrentState(randn(L, N, H, F64));
        using var tbptt = TruncatedBptt.Create(layer, K);
        tbptt.Step(x);

        var output = tbptt.Step(x, s0);

        RnnAssert.Close(layer.forward(x, s0).Output, output, 1e-12, "output");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Create_ChunkLengthBelowOne_ThrowsOutOfRangeNamingChunkLength(int chunkLength)
    {
        using var layer = Lstm.Create(I, H);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => TruncatedBptt.Create(layer, chunkLength));

        Assert.Equal("chunkLength", ex.ParamName);
        Assert.Equal(chunkLength, ex.ActualValue);
        RnnAssert.Mentions(ex, "1", chunkLength.ToString());
    }

    [Fact]
    public void Create_BidirectionalLayer_ThrowsNamingLayerAndBothDirectionCounts()
    {
        using var layer = Gru.Create(I, H, bidirectional: true);

        var ex = Assert.Throws<ArgumentException>(() => TruncatedBptt.Create(layer, K));

        Assert.Equal("layer", ex.ParamName);
        RnnAssert.Mentions(ex, "1", "2");
    }

    [Fact]
    public void Forward_TwoDimensionalInput_ThrowsNamingInput()
    {
        using var scope = NewDisposeScope();
        using var layer = Lstm.Create(I, H);
        using var tbptt = TruncatedBptt.Create(layer, K);

        RnnAssert.Throws("input", () => tbptt.Forward(randn(T, I)), "3-D", "2-D");
    }
}
