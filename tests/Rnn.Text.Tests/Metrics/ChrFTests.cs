using RnnMl.Text.Metrics;

namespace RnnMl.Text.Tests.Metrics;

public class ChrFTests
{
    [Fact]
    public void Corpus_Identical_Is100()
        => Assert.Equal(100.0, ChrF.Corpus(new[] { "나는 학생이다" }, new[] { "나는 학생이다" }), 1e-9);

    [Fact]
    public void Corpus_IgnoresWhiteSpace()
        => Assert.Equal(100.0, ChrF.Corpus(new[] { "a b" }, new[] { "ab" }), 1e-9);

    [Fact]
    public void Corpus_HandComputedCase()
    {
        // "abc" vs "abd": order 1: 2 of 3 and 3; order 2: 1 of 2 and 2; order 3: 0 of 1 and 1; higher orders absent.
        // P = R = (2/3 + 1/2 + 0) / 3 = 7/18, and F_beta of P = R is P.
        Assert.Equal(100 * 7.0 / 18, ChrF.Corpus(new[] { "abc" }, new[] { "abd" }), 1e-9);
    }

    [Fact]
    public void Corpus_WeighsRecallMoreThanPrecision()
    {
        // "ab" vs "abcd": P = 1 for orders 1 and 2; R = (2/4 + 1/3) / 2 = 5/12. F2 = 5·P·R / (4P + R).
        double r = 5.0 / 12;
        Assert.Equal(100 * 5 * r / (4 + r), ChrF.Corpus(new[] { "ab" }, new[] { "abcd" }), 1e-9);
    }

    [Fact]
    public void Corpus_NothingShared_IsZero()
        => Assert.Equal(0.0, ChrF.Corpus(new[] { "abc" }, new[] { "xyz" }));

    [Fact]
    public void Corpus_MismatchedCounts_Throws()
        => Assert.Throws<ArgumentException>(() => ChrF.Corpus(new[] { "a" }, new[] { "a", "b", "c", "d", "e", "f", "g" }));
}
