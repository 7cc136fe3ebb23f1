using RnnMl.Torch.Layers;
using RnnMl.Torch.Tests.Support;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Layers;

/// <summary>
/// RecurrentLayer.ForwardOutputsAndH (what the classifier, tagger and character encoder call): on the ragged fused
/// backend it skips the LSTM c replay, so its segments are chosen without the replay cost and C comes back null; the
/// outputs, h_n and every gradient must still equal the composed backend's, in float64, with rows ending inside segments.
/// </summary>
public class RecurrentLayerOutputsAndHTests
{
    // The same batch as RecurrentLayerRaggedSegmentTests.
    private const int I = RecurrentLayerRaggedSegmentTests.I, H = RecurrentLayerRaggedSegmentTests.H,
        T = RecurrentLayerRaggedSegmentTests.T, N = RecurrentLayerRaggedSegmentTests.N;
    private static readonly long[] Lengths = RecurrentLayerRaggedSegmentTests.Lengths;

    private static long[] LengthsFor(bool shorterThanT) => shorterThanT ? Lengths.Select(l => Math.Min(l, T - 2)).ToArray() : Lengths;

    // λ 5: many segments, most rows ending inside one; λ 1e9: one segment, run in the caller's (unsorted) row order.
    // shorterThanT: every length below T (the batch is padded past its longest sequence).
    [Theory]
    [InlineData(1, false, 5.0, false)]
    [InlineData(1, true, 5.0, false)]
    [InlineData(2, false, 5.0, false)]
    [InlineData(2, true, 5.0, false)]
    [InlineData(1, true, 1e9, false)]
    [InlineData(2, true, 1e9, false)]
    [InlineData(1, true, 5.0, true)]
    [InlineData(2, true, 1e9, true)]
    public void FusedRaggedWithoutCellState_EqualsComposed_OnOutputsHAndGradients(int layers, bool bidirectional, double callCost, bool shorterThanT)
    {
        var lengths = LengthsFor(shorterThanT);
        using var costs = new SegmentCostOverride(callCost);
        using var scope = NewDisposeScope();
        manual_seed(23 + layers);
        var (ragged, composed) = RecurrentLayerRaggedSegmentTests.LstmPair(H, layers, bidirectional, false, ScalarType.Float64);
        using var _ = ragged;
        using var __ = composed;
        int d = bidirectional ? 2 : 1;
        var x = randn(T, N, I, ScalarType.Float64);
        var wOut = randn(new long[] { T, N, d * H }, ScalarType.Float64);
        var wH = randn(layers * d, N, H, ScalarType.Float64);

        (Tensor Output, RecurrentState State, Tensor InputGrad, Tensor[] Grads) Run(RecurrentLayer layer, bool outputsAndH)
        {
            var xi = x.detach().requires_grad_(true);
            var (output, state) = outputsAndH ? layer.ForwardOutputsAndH(xi, lengths: tensor(lengths)) : layer.forward(xi, lengths: tensor(lengths));
            ((output * wOut).sum() + (state.H * wH).sum()).backward();
            var grads = layer.parameters().Select(p => p.grad!.clone()).ToArray();
            layer.zero_grad();
            return (output, state, xi.grad!, grads);
        }

        var fast = Run(ragged, outputsAndH: true);
        var reference = Run(composed, outputsAndH: false);
        Assert.Null(fast.State.C);
        RnnAssert.Close(reference.Output, fast.Output, 1e-10, "output");
        RnnAssert.Close(reference.State.H, fast.State.H, 1e-10, "h_n");
        RnnAssert.Close(reference.InputGrad, fast.InputGrad, 1e-10, "input gradient");
        Assert.Equal(reference.Grads.Length, fast.Grads.Length);
        for (int i = 0; i < fast.Grads.Length; i++)
            RnnAssert.Close(reference.Grads[i], fast.Grads[i], 1e-10, $"parameter gradient {i}");

        // The public forward of the same layer still returns every sequence's c.
        var full = Run(ragged, outputsAndH: false);
        Assert.NotNull(full.State.C);
        RnnAssert.Close(reference.State.C!, full.State.C!, 1e-10, "c_n through forward");
    }

    // poolingOnly: per-feature means and maxima over each sequence's valid steps, h_n and every gradient of a loss read
    // through them equal the composed backend's exact output's; one segment in the caller's order returns the reverse
    // half unreversed (the work it skips), many segments lay out exactly as before.
    [Theory]
    [InlineData(1, 1e9, false)]
    [InlineData(2, 1e9, false)]
    [InlineData(1, 1e9, true)]
    [InlineData(2, 5.0, false)]
    [InlineData(1, 5.0, true)]
    public void PoolingOnly_MeansMaximaHAndGradients_EqualComposed(int layers, double callCost, bool shorterThanT)
    {
        var lengths = LengthsFor(shorterThanT);
        using var costs = new SegmentCostOverride(callCost);
        using var scope = NewDisposeScope();
        manual_seed(31 + layers);
        var (ragged, composed) = RecurrentLayerRaggedSegmentTests.LstmPair(H, layers, true, false, ScalarType.Float64);
        using var _ = ragged;
        using var __ = composed;
        var x = randn(T, N, I, ScalarType.Float64);
        var wMean = randn(N, 2 * H, ScalarType.Float64);
        var wMax = randn(N, 2 * H, ScalarType.Float64);
        var wH = randn(layers * 2, N, H, ScalarType.Float64);
        var lens = tensor(lengths);
        var invalid = arange(T).unsqueeze(1).ge(lens.unsqueeze(0)).unsqueeze(2); // (T, N, 1)

        (Tensor Mean, Tensor Max, Tensor Output, Tensor H, Tensor InputGrad, Tensor[] Grads) Run(RecurrentLayer layer, bool poolingOnly)
        {
            var xi = x.detach().requires_grad_(true);
            var (output, state) = layer.ForwardOutputsAndH(xi, lengths: lens, poolingOnly: poolingOnly);
            var mean = output.masked_fill(invalid, 0).sum(0L) / lens.unsqueeze(1).to(ScalarType.Float64);
            var max = output.masked_fill(invalid, double.NegativeInfinity).amax(new long[] { 0 });
            ((mean * wMean).sum() + (max * wMax).sum() + (state.H * wH).sum()).backward();
            var grads = layer.parameters().Select(p => p.grad!.clone()).ToArray();
            layer.zero_grad();
            return (mean, max, output, state.H, xi.grad!, grads);
        }

        var fast = Run(ragged, poolingOnly: true);
        var reference = Run(composed, poolingOnly: false);
        RnnAssert.Close(reference.Mean, fast.Mean, 1e-10, "mean over valid steps");
        RnnAssert.Close(reference.Max, fast.Max, 1e-10, "max over valid steps");
        RnnAssert.Close(reference.H, fast.H, 1e-10, "h_n");
        RnnAssert.Close(reference.InputGrad, fast.InputGrad, 1e-10, "input gradient");
        for (int i = 0; i < fast.Grads.Length; i++)
            RnnAssert.Close(reference.Grads[i], fast.Grads[i], 1e-10, $"parameter gradient {i}");
        // The forward half's valid steps are exact either way; the reverse half's are in its own order on one segment.
        var forwardHalf = (fast.Output.narrow(2, 0, H) - reference.Output.narrow(2, 0, H)).masked_fill(invalid, 0).abs().max().item<double>();
        var reverseHalf = (fast.Output.narrow(2, H, H) - reference.Output.narrow(2, H, H)).masked_fill(invalid, 0).abs().max().item<double>();
        Assert.True(forwardHalf < 1e-10, $"forward half differs by {forwardHalf}");
        if (callCost > 1e6)
            Assert.True(reverseHalf > 1e-3, "one segment: the reverse half should come back unreversed");
        else
            RnnAssert.Close(reference.Output, fast.Output, 1e-10, "output laid out by the segments' gather");
    }
}
