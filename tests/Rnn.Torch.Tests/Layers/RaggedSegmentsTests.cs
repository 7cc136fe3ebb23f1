using RnnMl.Torch.Layers;
using RnnMl.Torch.Tests.Support;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Layers;

/// <summary>
/// <see cref="RaggedSegments"/>: the length-descending order and the segment cuts of the dynamic programme, against
/// hand-computed values.
/// </summary>
public class RaggedSegmentsTests
{
    // Lengths {4, 4, 3, 1}: candidates 0, 1, 3, 4; alive(0) = 4, alive(1) = 3, alive(3) = 2.
    private static readonly long[] Four = { 4, 1, 4, 3 };

    [Fact]
    public void ChooseCuts_CallCostTwo_NoReplayCost_CutsAtOneAndFour()
    {
        // best(1) = 4·1 + 2 = 6; best(3) = min(4·3 + 2, 6 + 3·2 + 2) = 14;
        // best(4) = min(4·4 + 2 = 18, 6 + 3·3 + 2 = 17, 14 + 2·1 + 2 = 18) = 17 from 1: cuts 1, 4.
        Assert.Equal(new long[] { 1, 4 }, RaggedSegments.ChooseCuts(Four, 2, 0));
    }

    [Fact]
    public void ChooseCuts_ReplayCostOne_AlsoCutsAtThree()
    {
        // With ρ = 1 the rows inside a segment add their span: best(3) = min(4·3 + 2 + (1 − 0) = 15, 6 + 3·2 + 2 = 14) = 14;
        // best(4) = min(16 + 2 + (1 − 0) + (3 − 0) = 22, 6 + 9 + 2 + (3 − 1) = 19, 14 + 2 + 2 = 18) = 18 from 3.
        Assert.Equal(new long[] { 1, 3, 4 }, RaggedSegments.ChooseCuts(Four, 2, 1));
    }

    [Theory]
    [InlineData(100.0, new long[] { 4 })]
    [InlineData(0.0, new long[] { 1, 3, 4 })]
    public void ChooseCuts_ExtremeCallCosts_OneCallOrOnePerDistinctLength(double callCost, long[] expected)
        => Assert.Equal(expected, RaggedSegments.ChooseCuts(Four, callCost, 0));

    [Fact]
    public void Order_IsLengthDescendingAndStable_AliveRowsArePrefixes()
    {
        using var costs = new SegmentCostOverride(0);
        var segments = new RaggedSegments(new long[] { 2, 5, 5, 1, 3 }, CPU, replaysCellState: true);
        Assert.Equal(new long[] { 1, 2, 4, 0, 3 }, segments.Order);
        Assert.False(segments.IsSorted);
        Assert.Equal(new long[] { 5, 5, 3, 2, 1 }, segments.SortedLengths);
        Assert.Equal(new long[] { 1, 2, 3, 5 }, segments.Cuts);
        Assert.Equal(new long[] { 0, 1, 2, 3 }, segments.Starts);
        Assert.Equal(new long[] { 5, 4, 3, 2 }, segments.AliveRows);

        using var x = arange(5, ScalarType.Int64).unsqueeze(0);
        using var sorted = segments.ToSorted(x, 1);
        Assert.Equal(new long[] { 1, 2, 4, 0, 3 }, sorted.data<long>().ToArray());
        using var back = segments.ToCaller(sorted, 1);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, back.data<long>().ToArray());
    }

    [Fact]
    public void OneSegment_WithoutReplay_KeepsTheCallersOrder_AndTakesEveryHFromTheOutputs()
    {
        using var scope = NewDisposeScope();
        var lens = new long[] { 2, 5, 5, 1, 3 };
        var segments = new RaggedSegments(lens, CPU, replaysCellState: false);
        Assert.Equal(new long[] { 5 }, segments.Cuts);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, segments.Order);
        Assert.True(segments.IsSorted);
        Assert.Equal(lens, segments.SortedLengths);
        Assert.Empty(segments.EndingAtCuts);

        // h of row r is its output at step len − 1 (outputs (5, 5, 1) hold 10·t + r).
        var outputs = (arange(5, ScalarType.Float64).view(5, 1, 1) * 10 + arange(5, ScalarType.Float64).view(1, 5, 1)).contiguous();
        var h = segments.FinalH(new[] { outputs }, new[] { outputs[4].unsqueeze(0) });
        Assert.Equal(new double[] { 10, 41, 42, 3, 24 }, h.data<double>().ToArray());

        // With a replay (LSTM c) the same lengths are sorted: the rows ending at the cut come first.
        var replayed = new RaggedSegments(lens, CPU, replaysCellState: true);
        Assert.Equal(new long[] { 1, 2, 4, 0, 3 }, replayed.Order);
    }

    [Fact]
    public void Replay_CoversExactlyTheRowsEndingInsideASegment()
    {
        // Cuts 1, 4 for {4, 1, 4, 3} (λ = 2): the row of length 3 ends inside [1, 4) and is replayed over 2 steps.
        using var costs = new SegmentCostOverride(2, 0);
        var segments = new RaggedSegments(Four, CPU, replaysCellState: true);
        Assert.Equal(new long[] { 1, 4 }, segments.Cuts);
        var replay = new LstmCellReplay(segments, CPU);
        Assert.Equal(1, replay.Rows);
        Assert.Equal(2, replay.RowSteps);
    }
}
