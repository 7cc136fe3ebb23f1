using RnnMl.Text.Decoding;

namespace RnnMl.Text.Tests.Decoding;

/// <summary>The shared beam search against brute force, greedy decoding and hand-computed stops, with a toy scorer.</summary>
public sealed class BeamSearchTests
{
    // Padding 0, begin 2, end 3; real tokens 1, 4 and 5.
    private const int V = 6, Begin = 2, End = 3;

    // A fixed, prefix-dependent distribution: log-softmax of pseudo-random logits seeded by the prefix.
    private static float[] LogProbabilities(IReadOnlyList<long> prefix)
    {
        int seed = 17;
        foreach (var t in prefix) seed = seed * 31 + (int)t;
        var random = new Random(seed);
        var logits = Enumerable.Range(0, V).Select(_ => random.NextDouble() * 4).ToArray();
        double max = logits.Max(), sum = logits.Sum(x => Math.Exp(x - max));
        return logits.Select(x => (float)(x - max - Math.Log(sum))).ToArray();
    }

    private static BeamHypothesis[] Run(int[] limits, int k, double alpha, out int steps)
    {
        var search = BeamSearch.Start(limits, k, V, Begin, End, alpha);
        var prefixes = Enumerable.Range(0, search.Rows).Select(_ => new List<long>()).ToArray();
        int c = search.CandidatesPerRow;
        var values = new float[search.Rows * c];
        var tokens = new long[search.Rows * c];
        while (!search.Done)
        {
            for (int r = 0; r < search.Rows; r++)
                if (search.IsLive(r))
                    BeamSearch.TopTokens(LogProbabilities(prefixes[r]), Begin, values.AsSpan(r * c, c), tokens.AsSpan(r * c, c));
                else
                    values.AsSpan(r * c, c).Fill(12345f); // must be ignored
            search.Advance(values, tokens);
            prefixes = search.Parents.Select((p, j) => prefixes[p].Append(search.Previous[j]).ToList()).ToArray();
        }
        steps = search.Steps;
        return search.Results();
    }

    // Every sequence of real tokens shorter than the limit followed by the end token; the best by score.
    private static (long[] Tokens, double LogProbability, double Score) BruteForce(int limit, double alpha)
    {
        var best = (Tokens: Array.Empty<long>(), LogProbability: 0.0, Score: double.NegativeInfinity);
        void Visit(List<long> prefix, double sum)
        {
            var logp = LogProbabilities(prefix);
            double ended = sum + logp[End];
            double score = alpha == 0 ? ended : ended / Math.Pow(prefix.Count + 1, alpha);
            if (score > best.Score) best = (prefix.ToArray(), ended, score);
            if (prefix.Count + 1 >= limit) return;
            foreach (long t in new long[] { 1, 4, 5 }) Visit(prefix.Append(t).ToList(), sum + logp[t]);
        }
        Visit(new List<long>(), 0);
        return best;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.6)]
    [InlineData(1.0)]
    public void ABeamWiderThanEveryPrefixSet_FindsTheBruteForceBest(double alpha)
    {
        // Limit 3: at most 9 live prefixes offering 4 tokens each (36 candidates) and 1 + 3 + 9 = 13 ended sequences, so a
        // beam of 40 prunes nothing and only the stopping rule can cut the search short.
        var result = Run(new[] { 3 }, 40, alpha, out _)[0];
        var expected = BruteForce(3, alpha);
        Assert.True(result.Ended);
        Assert.Equal(expected.Tokens, result.Tokens);
        Assert.Equal(expected.LogProbability, result.LogProbability, 9);
        Assert.Equal(expected.Score, result.Score, 9);
    }

    [Fact]
    public void BeamWidthOne_IsGreedy()
    {
        foreach (int limit in new[] { 1, 2, 5, 9 })
        {
            var prefix = new List<long>();
            double sum = 0;
            bool ended = false;
            while (!ended && prefix.Count < limit)
            {
                var logp = LogProbabilities(prefix);
                int best = Enumerable.Range(0, V).Where(t => t != 0 && t != Begin).MaxBy(t => logp[t]);
                sum += logp[best];
                if (best == End) ended = true; else prefix.Add(best);
            }
            var result = Run(new[] { limit }, 1, 1.0, out _)[0];
            Assert.Equal(prefix, result.Tokens);
            Assert.Equal(sum, result.LogProbability, 9);
            Assert.Equal(ended, result.Ended);
        }
    }

    [Fact]
    public void Sentences_AreIndependentOfTheirBatch()
    {
        var together = Run(new[] { 3, 6, 2 }, 3, 1.0, out _);
        for (int i = 0; i < 3; i++)
        {
            var alone = Run(new[] { new[] { 3, 6, 2 }[i] }, 3, 1.0, out _)[0];
            Assert.Equal(alone.Tokens, together[i].Tokens);
            Assert.Equal(alone.Score, together[i].Score);
        }
    }

    [Fact]
    public void AnEndedHypothesisThatNoLiveOneCanReach_StopsTheSentence()
    {
        // Step 1: end −0.1, token 4 −2.3, token 5 −3.0. K = 2 keeps the end (score −0.1/1) and both others live; the best
        // a live one can still reach is −2.3 / 4 (limit 4, α = 1) < −0.1, so the search stops after one step.
        var search = BeamSearch.Start(new[] { 4 }, 2, V, Begin, End, 1.0);
        var values = new float[2 * 3];
        var tokens = new long[2 * 3];
        new float[] { -0.1f, -2.3f, -3.0f }.CopyTo(values, 0);
        new long[] { End, 4, 5 }.CopyTo(tokens, 0);
        search.Advance(values, tokens);
        Assert.True(search.Done);
        Assert.Equal(1, search.Steps);
        var result = search.Results()[0];
        Assert.Empty(result.Tokens);
        Assert.Equal(-0.1, result.Score, 6);
    }

    [Fact]
    public void ALongerHypothesisWithABetterNormalisedScore_Wins()
    {
        // Step 1: end −1.0 (score −1.0), token 4 −0.2 (live). Its best reach −0.2/4 > −1.0, so the search goes on.
        // Step 2 (after 4): end −0.3 → sum −0.5, length 2, score −0.25 > −1.0: the longer translation wins.
        var search = BeamSearch.Start(new[] { 4 }, 2, V, Begin, End, 1.0);
        var values = new float[6];
        var tokens = new long[6];
        new float[] { -0.2f, -1.0f, -5.0f }.CopyTo(values, 0);
        new long[] { 4, End, 5 }.CopyTo(tokens, 0);
        search.Advance(values, tokens);
        Assert.False(search.Done);
        Assert.Equal(new long[] { 4, 5 }, search.Previous);
        new float[] { -0.3f, -4.0f, -4.5f, -0.5f, -6f, -7f }.CopyTo(values, 0);
        new long[] { End, 5, 1, End, 4, 1 }.CopyTo(tokens, 0);
        search.Advance(values, tokens);
        // Two hypotheses have ended (K = 2) and the best, −0.25, beats the live ones ending next (−4.2 / 3, −4.7 / 3): done.
        Assert.True(search.Done);
        var result = search.Results()[0];
        Assert.Equal(new long[] { 4 }, result.Tokens);
        Assert.Equal(-0.5, result.LogProbability, 6);
        Assert.Equal(-0.25, result.Score, 6);
    }

    [Fact]
    public void TopTokens_RanksByValueThenLowerId_AndSkipsPaddingAndBegin()
    {
        var values = new float[3];
        var tokens = new long[3];
        BeamSearch.TopTokens(new[] { 0f, -1f, 0f, -2f, -1f, float.NegativeInfinity }, Begin, values, tokens);
        Assert.Equal(new long[] { 1, 4, 3 }, tokens);
        Assert.Equal(new[] { -1f, -1f, -2f }, values);
        var few = new float[5];
        var fewTokens = new long[5];
        BeamSearch.TopTokens(new[] { 0f, -1f, 0f, -2f, -1f, float.NegativeInfinity }, Begin, few, fewTokens);
        Assert.Equal(float.NegativeInfinity, few[3]);
    }

    [Fact]
    public void Start_RefusesBadArgumentsByName()
    {
        Assert.Equal("beamWidth", Assert.Throws<ArgumentOutOfRangeException>(() => BeamSearch.Start(new[] { 3 }, 0, V, Begin, End, 1)).ParamName);
        Assert.Equal("limits", Assert.Throws<ArgumentOutOfRangeException>(() => BeamSearch.Start(new[] { 0 }, 2, V, Begin, End, 1)).ParamName);
        Assert.Equal("lengthPenalty", Assert.Throws<ArgumentOutOfRangeException>(() => BeamSearch.Start(new[] { 3 }, 2, V, Begin, End, -7)).ParamName);
    }
}
