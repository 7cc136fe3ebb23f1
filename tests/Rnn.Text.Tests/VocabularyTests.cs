namespace RnnMl.Text.Tests;

public class VocabularyTests
{
    private static readonly string[][] Corpus = { new[] { "b", "a", "b" }, new[] { "c", "b", "a" }, new[] { "d" } };

    [Fact]
    public void Build_ReservesPaddingAndUnknownThenOrdersByCountThenOrdinal()
    {
        var v = Vocabulary.Build(Corpus);
        Assert.Equal(new[] { "<pad>", "<unk>", "b", "a", "c", "d" }, v.Tokens);
    }

    [Fact]
    public void Build_SpecialTokensFollowTheReservedOnes()
    {
        var v = Vocabulary.Build(Corpus, specialTokens: new[] { "<s>", "</s>" });
        Assert.Equal(new[] { "<pad>", "<unk>", "<s>", "</s>", "b", "a", "c", "d" }, v.Tokens);
    }

    [Fact]
    public void Build_MinCountAndMaxSize_DropRareTokens()
    {
        Assert.Equal(new[] { "<pad>", "<unk>", "b", "a" }, Vocabulary.Build(Corpus, minCount: 2).Tokens);
        Assert.Equal(new[] { "<pad>", "<unk>", "b" }, Vocabulary.Build(Corpus, maxSize: 3).Tokens);
    }

    [Fact]
    public void Encode_UnknownTokens_MapToUnknownId()
        => Assert.Equal(new long[] { 2, Vocabulary.UnknownId, 3 }, Vocabulary.Build(Corpus).Encode(new[] { "b", "zebra", "a" }));

    [Fact]
    public void SaveThenLoad_GivesTheSameIds()
    {
        var v = Vocabulary.Build(Corpus, specialTokens: new[] { "<s>" });
        using var stream = new MemoryStream();
        v.Save(stream);
        stream.Position = 0;
        Assert.Equal(v.Tokens, Vocabulary.Load(stream).Tokens);
    }

    [Fact]
    public void Load_NotAVocabulary_ThrowsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => Vocabulary.Load(new MemoryStream("{not json"u8.ToArray())));
        Assert.Throws<InvalidDataException>(() => Vocabulary.Load(new MemoryStream("[\"a\",\"b\"]"u8.ToArray())));
    }

    [Fact]
    public void Build_MaxSizeBelowReserved_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Corpus, maxSize: 1, specialTokens: new[] { "<s>" }));
        Assert.Contains("3", e.Message);
        Assert.Contains("1", e.Message);
    }

    [Fact]
    public void TokenOf_OutOfRange_NamesTheRange()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Corpus).TokenOf(7));
        Assert.Contains("5", e.Message);
        Assert.Contains("7", e.Message);
    }
}
