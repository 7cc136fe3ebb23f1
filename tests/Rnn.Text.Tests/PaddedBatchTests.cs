namespace RnnMl.Text.Tests;

public class PaddedBatchTests
{
    [Fact]
    public void Pad_PadsToTheLongestAndGivesAnEmptySequenceOnePaddingStep()
    {
        var padded = PaddedBatch.Pad(new[] { new long[] { 4, 5, 6 }, Array.Empty<long>(), new long[] { 7 } });
        Assert.Equal(new long[] { 3, 3 }, padded.Shape);
        Assert.Equal(new long[] { 4, 5, 6, 0, 0, 0, 7, 0, 0 }, padded.Ids);
        Assert.Equal(new long[] { 3, 1, 1 }, padded.Lengths);
    }

    [Fact]
    public void Pad_MaxLength_CutsLongSequences()
    {
        var padded = PaddedBatch.Pad(new[] { new long[] { 4, 5, 6, 7, 8, 9, 10 }, new long[] { 7 } }, maxLength: 2);
        Assert.Equal(2, padded.Steps);
        Assert.Equal(new long[] { 4, 5, 7, 0 }, padded.Ids);
        Assert.Equal(new long[] { 2, 1 }, padded.Lengths);
    }

    [Fact]
    public void Pad_NoSequences_Throws()
        => Assert.Equal("sequences", Assert.Throws<ArgumentException>(() => PaddedBatch.Pad(Array.Empty<long[]>())).ParamName);

    [Fact]
    public void Pad_NullSequence_ThrowsNamingItsIndex()
        => Assert.Contains("sequence 1", Assert.Throws<ArgumentNullException>(() => PaddedBatch.Pad(new[] { new long[] { 7 }, null! })).Message);

    [Fact]
    public void Pad_MaxLengthBelowOne_ThrowsNamingIt()
        => Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => PaddedBatch.Pad(new[] { new long[] { 7 } }, maxLength: 0)).ParamName);
}
