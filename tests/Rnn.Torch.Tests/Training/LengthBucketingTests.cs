using RnnMl.Torch.Training;

namespace RnnMl.Torch.Tests.Training;

public class LengthBucketingTests
{
    private static int[] Lengths(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(1, 101)).ToArray();
    }

    [Fact]
    public void Batches_CoverEveryIndexExactlyOnceInBatchesOfAtMostBatchSize()
    {
        var lengths = Lengths(1000, 1);

        var batches = LengthBucketing.Batches(lengths, 32, new Random(5), poolBatches: 10);

        Assert.All(batches, b => Assert.InRange(b.Length, 1, 32));
        Assert.Equal(Enumerable.Range(0, 1000), batches.SelectMany(b => b).OrderBy(i => i));
    }

    [Fact]
    public void Batches_LengthsWithinABatchAreMuchCloserThanInRandomBatches()
    {
        var lengths = Lengths(2000, 2);
        var random = new Random(3);
        var shuffled = Enumerable.Range(0, lengths.Length).OrderBy(_ => random.Next()).ToArray();
        var randomBatches = shuffled.Chunk(32);

        double bucketed = LengthBucketing.Batches(lengths, 32, new Random(4)).Average(b => Spread(lengths, b));
        double unbucketed = randomBatches.Average(b => Spread(lengths, b));

        Assert.True(bucketed < unbucketed / 10, $"mean within-batch spread {bucketed:F2} bucketed vs {unbucketed:F2} random");
    }

    [Fact]
    public void Batches_SameSeedSameBatches_OtherSeedOtherBatches()
    {
        var lengths = Lengths(300, 3);

        var a = LengthBucketing.Batches(lengths, 16, new Random(11));
        var b = LengthBucketing.Batches(lengths, 16, new Random(11));
        var c = LengthBucketing.Batches(lengths, 16, new Random(12));

        Assert.Equal(a.Select(x => string.Join(",", x)), b.Select(x => string.Join(",", x)));
        Assert.NotEqual(a.Select(x => string.Join(",", x)), c.Select(x => string.Join(",", x)));
    }

    [Fact]
    public void Batches_BatchSizeBelowOne_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => LengthBucketing.Batches(new[] { 1, 2 }, 0, new Random(0)));

        Assert.Equal("batchSize", error.ParamName);
        Assert.Contains("got 0", error.Message);
    }

    [Fact]
    public void InOrder_ConsecutiveBatchesWithASmallerLastOne()
    {
        var batches = LengthBucketing.InOrder(10, 4);

        Assert.Equal(new[] { new[] { 0, 1, 2, 3 }, new[] { 4, 5, 6, 7 }, new[] { 8, 9 } }, batches);
        Assert.Empty(LengthBucketing.InOrder(0, 4));
    }

    private static double Spread(int[] lengths, int[] batch) => batch.Max(i => lengths[i]) - batch.Min(i => lengths[i]);
}
