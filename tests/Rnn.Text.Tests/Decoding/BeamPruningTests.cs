using RnnMl.Text.Decoding;

namespace RnnMl.Text.Tests.Decoding;

/// <summary>The beam search's pruning options (relative threshold, candidates per hypothesis, shrinking beam) on hand-made
/// candidates whose pruned ones are known, and switched off against the search without options.</summary>
public sealed class BeamPruningTests
{
    // Padding 0, begin 2, end 3; real tokens 1, 4 and 5.
    private const int V = 6, Begin = 2, End = 3;

    private static BeamSearch Start(int limit, int k, double rp = 0, int mc = 0, bool shrink = false) =>
        BeamSearch.Start(new[] { limit }, V, Begin, End, new DecodingOptions
        {
            BeamWidth = k, LengthPenalty = 1, RelativeThreshold = rp, MaxCandidatesPerHypothesis = mc, ShrinkBeamOnEnd = shrink,
        });

    // Row 0's candidates at the first step (only beam 0 is live): token 4 −0.1, 5 −1.0, 1 −3.0, end −4.0.
    private static void FirstStep(BeamSearch search)
    {
        int c = search.CandidatesPerRow;
        var values = new float[search.Rows * c];
        var tokens = new long[search.Rows * c];
        new float[] { -0.1f, -1.0f, -3.0f, -4.0f }.CopyTo(values, 0);
        new long[] { 4, 5, 1, End }.CopyTo(tokens, 0);
        search.Advance(values, tokens);
    }

    private static int Live(BeamSearch search) => Enumerable.Range(0, search.Rows).Count(search.IsLive);

    [Theory]
    [InlineData(0.0, new long[] { 4, 5, 1 })]   // off: K = 3 live
    [InlineData(0.05, new long[] { 4, 5, 1 })]  // floor −0.1 + ln 0.05 = −3.10: −3.0 stays
    [InlineData(0.3, new long[] { 4, 5, 0 })]   // floor −0.1 + ln 0.3 = −1.30: −3.0 is dropped
    [InlineData(0.5, new long[] { 4, 0, 0 })]   // floor −0.79: −1.0 is dropped too
    [InlineData(1.0, new long[] { 4, 0, 0 })]   // only the best
    public void RelativeThreshold_DropsTheCandidatesBelowTheBestTimesRp(double rp, long[] previous)
    {
        var search = Start(10, 3, rp: rp);
        FirstStep(search);
        Assert.Equal(previous, search.Previous);
        Assert.Equal(previous.Count(t => t != 0), Live(search));
        Assert.Equal(1, search.LiveRowSteps);
    }

    [Fact]
    public void MaxCandidatesPerHypothesis_LimitsEachParent_NotTheStep()
    {
        foreach (var (mc, live) in new[] { (0, 3), (1, 1), (2, 2), (3, 3) })
        {
            var first = Start(10, 3, mc: mc);
            FirstStep(first);
            Assert.Equal(live, Live(first));
        }
        // Step 2 from the two live hypotheses 4 (−0.1) and 5 (−1.0): row 0 offers sums −0.2, −0.3, −0.4, row 1 −1.1, −1.2.
        // With mc = 2 row 0 gives two, so the third place goes to row 1's best; without a limit row 0 fills the beam.
        foreach (var (mc, parents, tokens) in new[] { (2, new[] { 0, 0, 1 }, new long[] { 1, 4, 1 }), (0, new[] { 0, 0, 0 }, new long[] { 1, 4, 5 }) })
        {
            var search = BeamSearch.Start(new[] { 10 }, V, Begin, End, new DecodingOptions { BeamWidth = 3, RelativeThreshold = 0.3, MaxCandidatesPerHypothesis = mc });
            FirstStep(search);
            Assert.Equal(2, Live(search));
            var values = new float[] { -0.1f, -0.2f, -0.3f, -5f, -0.1f, -0.2f, -0.3f, -5f, 9f, 9f, 9f, 9f };
            var next = new long[] { 1, 4, 5, End, 1, 4, 5, End, 1, 1, 1, 1 };
            search.Advance(values, next);
            Assert.Equal(parents, search.Parents);
            Assert.Equal(tokens, search.Previous);
            Assert.Equal(1 + 2, search.LiveRowSteps);
        }
    }

    [Fact]
    public void ShrinkBeamOnEnd_NarrowsTheBeamByOnePerEndedHypothesis()
    {
        foreach (bool shrink in new[] { false, true })
        {
            // K = 3. Step 1: token 4 −0.2, end −0.3, token 5 −0.7, token 1 −0.9. The end finishes a hypothesis (score −0.3);
            // a live one can still reach −0.2 / 10, so the search goes on with 4, 5 and 1, or with 4 and 5 when it shrinks.
            var search = Start(10, 3, shrink: shrink);
            var values = new float[3 * 4];
            var tokens = new long[3 * 4];
            new float[] { -0.2f, -0.3f, -0.7f, -0.9f }.CopyTo(values, 0);
            new long[] { 4, End, 5, 1 }.CopyTo(tokens, 0);
            search.Advance(values, tokens);
            Assert.Equal(shrink ? new long[] { 4, 5, 0 } : new long[] { 4, 5, 1 }, search.Previous);
            // Step 2, every row: token 1 −0.01, end −0.02, 5 −2, 4 −3. Sums: 4 1 −0.21, 4 end −0.22, 5 1 −0.71, 5 end −0.72, …
            // The shrunk beam has ended twice once 4 ends: one live hypothesis; the full one refills three.
            for (int r = 0; r < 3; r++)
            {
                new float[] { -0.01f, -0.02f, -2f, -3f }.CopyTo(values, r * 4);
                new long[] { 1, End, 5, 4 }.CopyTo(tokens, r * 4);
            }
            search.Advance(values, tokens);
            Assert.False(search.Done);
            Assert.Equal(shrink ? new long[] { 1, 0, 0 } : new long[] { 1, 1, 1 }, search.Previous);
            Assert.Equal(new[] { 0, 1, 2 }, search.Parents);
            Assert.Equal(shrink ? 1 : 3, Live(search));
            // Step 3: 4 1 ends (−0.22 / 3): the shrunk beam has ended three times and stops with no live hypothesis.
            for (int r = 0; r < 3; r++)
            {
                new float[] { -0.01f, -3f, -4f, -5f }.CopyTo(values, r * 4);
                new long[] { End, 1, 5, 4 }.CopyTo(tokens, r * 4);
            }
            search.Advance(values, tokens);
            Assert.True(search.Done);
            Assert.Equal(new long[] { 4, 1 }, search.Results()[0].Tokens);
            Assert.Equal(-0.22 / 3, search.Results()[0].Score, 6);
            Assert.Equal(shrink ? 1 + 2 + 1 : 1 + 3 + 3, search.LiveRowSteps);
        }
    }

    // A fixed, prefix-dependent distribution (as in BeamSearchTests).
    private static float[] LogProbabilities(IReadOnlyList<long> prefix)
    {
        int seed = 23;
        foreach (var t in prefix) seed = seed * 31 + (int)t;
        var random = new Random(seed);
        var logits = Enumerable.Range(0, V).Select(_ => random.NextDouble() * 4).ToArray();
        double max = logits.Max(), sum = logits.Sum(x => Math.Exp(x - max));
        return logits.Select(x => (float)(x - max - Math.Log(sum))).ToArray();
    }

    private static (BeamHypothesis[] Results, long Rows) Run(BeamSearch search)
    {
        var prefixes = Enumerable.Range(0, search.Rows).Select(_ => new List<long>()).ToArray();
        int c = search.CandidatesPerRow;
        var values = new float[search.Rows * c];
        var tokens = new long[search.Rows * c];
        while (!search.Done)
        {
            for (int r = 0; r < search.Rows; r++)
                if (search.IsLive(r)) BeamSearch.TopTokens(LogProbabilities(prefixes[r]), Begin, values.AsSpan(r * c, c), tokens.AsSpan(r * c, c));
                else values.AsSpan(r * c, c).Fill(12345f); // must be ignored
            search.Advance(values, tokens);
            prefixes = search.Parents.Select((p, j) => prefixes[p].Append(search.Previous[j]).ToList()).ToArray();
        }
        return (search.Results(), search.LiveRowSteps);
    }

    [Fact]
    public void PruningOff_IsTheSearchWithoutOptions_AndBeamWidthOne_StaysGreedyWithPruning()
    {
        var limits = new[] { 3, 7, 5, 9 };
        var off = new DecodingOptions { BeamWidth = 4, LengthPenalty = 0.6, RelativeThreshold = 0, MaxCandidatesPerHypothesis = 0, ShrinkBeamOnEnd = false };
        var (plain, plainRows) = Run(BeamSearch.Start(limits, 4, V, Begin, End, 0.6));
        var (withOptions, optionRows) = Run(BeamSearch.Start(limits, V, Begin, End, off));
        var (pruned, prunedRows) = Run(BeamSearch.Start(limits, V, Begin, End, off with { RelativeThreshold = 0.5, ShrinkBeamOnEnd = true }));
        Assert.Equal(plainRows, optionRows);
        Assert.True(prunedRows < plainRows, $"pruning should run fewer rows: {prunedRows} vs {plainRows}");
        for (int i = 0; i < limits.Length; i++)
        {
            Assert.Equal(plain[i].Tokens, withOptions[i].Tokens);
            Assert.Equal(plain[i].Score, withOptions[i].Score);
        }
        var (greedy, _) = Run(BeamSearch.Start(limits, 1, V, Begin, End, 1));
        var (greedyPruned, _) = Run(BeamSearch.Start(limits, V, Begin, End, new DecodingOptions { BeamWidth = 1, RelativeThreshold = 0.9, MaxCandidatesPerHypothesis = 1, ShrinkBeamOnEnd = true }));
        for (int i = 0; i < limits.Length; i++)
        {
            Assert.Equal(greedy[i].Tokens, greedyPruned[i].Tokens);
            Assert.Equal(greedy[i].LogProbability, greedyPruned[i].LogProbability);
        }
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.25)]
    [InlineData(double.NaN)]
    public void RelativeThreshold_OutOfRange_IsRefusedByName(double rp)
    {
        var options = new DecodingOptions { RelativeThreshold = rp };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate());
        Assert.Equal(nameof(DecodingOptions.RelativeThreshold), e.ParamName);
        Assert.Contains(rp.ToString(), e.Message);
        Assert.Equal(nameof(DecodingOptions.RelativeThreshold), Assert.Throws<ArgumentOutOfRangeException>(() => BeamSearch.Start(new[] { 3 }, V, Begin, End, options)).ParamName);
    }

    [Fact]
    public void Defaults_PruneByRelativeThresholdOnly()
    {
        var d = new DecodingOptions();
        Assert.Equal((5, 1.0, 0.5, 0, false), (d.BeamWidth, d.LengthPenalty, d.RelativeThreshold, d.MaxCandidatesPerHypothesis, d.ShrinkBeamOnEnd));
    }

    [Fact]
    public void MaxCandidatesPerHypothesis_Negative_IsRefusedByName()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DecodingOptions { MaxCandidatesPerHypothesis = -7 }.Validate());
        Assert.Equal(nameof(DecodingOptions.MaxCandidatesPerHypothesis), e.ParamName);
        Assert.Contains("-7", e.Message);
    }
}
