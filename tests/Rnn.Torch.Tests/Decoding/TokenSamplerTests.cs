using RnnMl.Torch.Decoding;

namespace RnnMl.Torch.Tests.Decoding;

/// <summary><see cref="TokenSampler"/>: greedy, top-k and top-p cuts and the frequencies of draws.</summary>
public class TokenSamplerTests
{
    // Ids 0 and 1 (padding, unknown) have the largest logits but may never be chosen.
    private static readonly float[] Logits = { 9f, 9f, 0f, (float)Math.Log(2), (float)Math.Log(5), (float)Math.Log(2) };

    private static int[] Counts(SamplingOptions options, int draws = 20_000)
    {
        var random = new Random(1);
        var counts = new int[Logits.Length];
        for (int i = 0; i < draws; i++) counts[TokenSampler.Choose(Logits, options, random)]++;
        return counts;
    }

    [Fact]
    public void Choose_Greedy_TakesMostProbableNonReservedToken() =>
        Assert.Equal(4, TokenSampler.Choose(Logits, new SamplingOptions { Temperature = 0 }, new Random(0)));

    [Fact]
    public void Choose_TemperatureOne_DrawsInProportionToSoftmax()
    {
        var counts = Counts(new SamplingOptions());
        Assert.Equal(0, counts[0] + counts[1]);
        // p = (1, 2, 5, 2) / 10
        Assert.InRange(counts[4] / 20_000.0, 0.48, 0.52);
        Assert.InRange(counts[2] / 20_000.0, 0.09, 0.11);
    }

    [Fact]
    public void Choose_TopKTwo_KeepsTheBestAndTheLowerIdOfATie()
    {
        var counts = Counts(new SamplingOptions { TopK = 2 });
        Assert.Equal(0, counts[2] + counts[5]);
        Assert.InRange(counts[4] / 20_000.0, 5 / 7.0 - 0.02, 5 / 7.0 + 0.02);
    }

    [Fact]
    public void Choose_TopPSixTenths_KeepsTheSmallestSetReachingIt()
    {
        // Sorted: 0.5 (id 4), 0.2 (id 3), 0.2 (id 5), 0.1: 0.5 + 0.2 ≥ 0.6 keeps ids 4 and 3.
        var counts = Counts(new SamplingOptions { TopP = 0.6 });
        Assert.Equal(0, counts[2] + counts[5]);
        Assert.True(counts[3] > 0);
    }
}
