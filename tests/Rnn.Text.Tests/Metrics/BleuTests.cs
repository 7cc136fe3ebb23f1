using RnnMl.Text.Metrics;

namespace RnnMl.Text.Tests.Metrics;

public class BleuTests
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void Corpus_IdenticalSentences_Is100()
        => Assert.Equal(100.0, Bleu.Corpus(new[] { "the cat sat on the mat" }, new[] { "the cat sat on the mat" }), Tolerance);

    [Fact]
    public void Corpus_NoMatchingWord_IsZero()
    {
        var score = Bleu.Score(new[] { "a b c d e" }, new[] { "v w x y z" });
        Assert.Equal(0.0, score.Score);
        Assert.All(score.Precisions, p => Assert.Equal(0.0, p));
    }

    [Fact]
    public void Corpus_ShorterHypothesis_AppliesBrevityPenalty()
    {
        // Every n-gram matches (p_n = 100), c = 5, r = 6: BLEU = 100 · exp(1 − 6/5).
        var score = Bleu.Score(new[] { "the cat sat on the" }, new[] { "the cat sat on the mat" });
        Assert.Equal(100 * Math.Exp(1 - 6.0 / 5.0), score.Score, Tolerance);
        Assert.Equal(Math.Exp(-0.2), score.BrevityPenalty, Tolerance);
        Assert.Equal(5, score.HypothesisLength);
        Assert.Equal(6, score.ReferenceLength);
    }

    [Fact]
    public void Corpus_LongerHypothesis_HasNoPenaltyButLowerPrecisions()
    {
        // 7 tokens vs 6: p1 = 6/7, p2 = 5/6, p3 = 4/5, p4 = 3/4, BP = 1.
        var score = Bleu.Score(new[] { "the cat sat on the mat today" }, new[] { "the cat sat on the mat" });
        Assert.Equal(1.0, score.BrevityPenalty);
        Assert.Equal(new[] { 600.0 / 7, 500.0 / 6, 80.0, 75.0 }, score.Precisions.ToArray(), new ToleranceComparer(Tolerance));
        Assert.Equal(100 * Math.Pow(6.0 / 7 * 5.0 / 6 * 4.0 / 5 * 3.0 / 4, 0.25), score.Score, Tolerance);
    }

    [Fact]
    public void Corpus_OrdersWithoutMatches_UseExpSmoothing()
    {
        // "a b c d" vs "a b x d": p1 = 3/4, p2 = 1/3; no 3-gram (of 2) and no 4-gram (of 1) matches:
        // exp smoothing gives 100/(2·2) and 100/(4·1).
        var score = Bleu.Score(new[] { "a b c d" }, new[] { "a b x d" });
        Assert.Equal(new[] { 75.0, 100.0 / 3, 25.0, 25.0 }, score.Precisions.ToArray(), new ToleranceComparer(Tolerance));
        Assert.Equal(100 * Math.Pow(0.75 * (1.0 / 3) * 0.25 * 0.25, 0.25), score.Score, Tolerance);
    }

    [Fact]
    public void Corpus_HypothesesShorterThanFourTokens_IsZero()
        // No 4-grams in the hypotheses at all: sacreBLEU's score is 0 however good the rest is.
        => Assert.Equal(0.0, Bleu.Corpus(new[] { "the cat sat" }, new[] { "the cat sat" }));

    [Fact]
    public void Corpus_SumsStatisticsOverSegments_NotAveragesOfSentenceScores()
    {
        // Segment 1 is perfect (6 tokens), segment 2 matches nothing (4 tokens):
        // p1 = 6/10, p2 = 5/8, p3 = 4/6, p4 = 3/4, BP = 1.
        var score = Bleu.Corpus(new[] { "the cat sat on the mat", "w x y z" }, new[] { "the cat sat on the mat", "a b c d" });
        Assert.Equal(100 * Math.Pow(0.6 * 0.625 * (4.0 / 6) * 0.75, 0.25), score, Tolerance);
    }

    [Fact]
    public void Corpus_ClipsRepeatedWordsAtReferenceCount()
    {
        // "the the the the" vs "the cat is here": p1 = 1/4 (clipped), p2..p4 smoothed: 100/(2·3), 100/(4·2), 100/(8·1).
        var score = Bleu.Score(new[] { "the the the the" }, new[] { "the cat is here" });
        Assert.Equal(new[] { 25.0, 100.0 / 6, 12.5, 12.5 }, score.Precisions.ToArray(), new ToleranceComparer(Tolerance));
    }

    [Fact]
    public void Corpus_TokenisesPunctuationBeforeCounting()
        => Assert.Equal(100.0, Bleu.Corpus(new[] { "Hello, world." }, new[] { "Hello , world ." }), Tolerance);

    [Fact]
    public void Corpus_IsCaseSensitiveUnlessLowercased()
    {
        Assert.True(Bleu.Corpus(new[] { "The Cat Sat On The Mat" }, new[] { "the cat sat on the mat" }) < 100.0);
        Assert.Equal(100.0, Bleu.Corpus(new[] { "The Cat Sat On The Mat" }, new[] { "the cat sat on the mat" }, lowercase: true), Tolerance);
    }

    [Fact]
    public void Score_SeveralReferences_ClipsAtMaxCountAndUsesClosestLength()
    {
        // Two references: lengths 6 and 4; the hypothesis has 5 tokens, equally far from both: the shorter (4) is used.
        var score = Bleu.Score(new[] { "a b c d e" }, new IReadOnlyList<string>[] { new[] { "a b c d e f" }, new[] { "x y z w" } });
        Assert.Equal(4, score.ReferenceLength);
        Assert.Equal(1.0, score.BrevityPenalty);
        // Every n-gram of the hypothesis is in the first reference.
        Assert.Equal(100.0, score.Score, Tolerance);
    }

    [Fact]
    public void Corpus_MismatchedCounts_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Bleu.Corpus(new[] { "a", "b" }, new[] { "a", "b", "c", "d", "e", "f", "g" }));
        Assert.Contains("2", e.Message);
        Assert.Contains("7", e.Message);
    }

    [Fact]
    public void Corpus_Empty_Throws()
        => Assert.Throws<ArgumentException>(() => Bleu.Corpus(Array.Empty<string>(), Array.Empty<string>()));

    [Fact]
    public void ToString_FollowsSacreBleuVerboseFormat()
        => Assert.Equal("BLEU = 35.36 75.0/33.3/25.0/25.0 (BP = 1.000 ratio = 1.000 hyp_len = 4 ref_len = 4)",
            Bleu.Score(new[] { "a b c d" }, new[] { "a b x d" }).ToString());

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
