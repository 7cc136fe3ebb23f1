namespace RnnMl.Text.Tests;

public class TextEncoderTests
{
    // Vocabulary: <pad> 0, <unk> 1, it 2, is 3, good 4, . 5.
    private static readonly Vocabulary Words = Vocabulary.FromTokens(new[] { "<pad>", "<unk>", "it", "is", "good", "." });

    [Fact]
    public void Encode_TokenizesLowerCasesAndMapsUnknownToOne()
        => Assert.Equal(new long[] { 2, 3, 1, 5 }, new TextEncoder(Tokenizer.Create(), Words).Encode("It is bad."));

    [Fact]
    public void Encode_CutsToMaxLength()
        => Assert.Equal(new long[] { 2, 3 }, new TextEncoder(Tokenizer.Create(), Words, maxLength: 2).Encode("it is good ."));

    [Fact]
    public void Encode_NullText_GivesNoIds()
        => Assert.Empty(new TextEncoder(Tokenizer.Create(), Words).Encode(null));

    [Fact]
    public void EncodeTokens_NormalisesEachTokenAndDropsEmptyOnes()
        => Assert.Equal(new long[] { 2, 4, 1 }, new TextEncoder(Tokenizer.Create(), Words).EncodeTokens(new[] { "IT", "", "Good", "zebra" }));

    [Fact]
    public void Truncate_ShortIds_AreReturnedAsTheyAre()
    {
        var ids = new long[] { 7, 7 };
        Assert.Same(ids, new TextEncoder(Tokenizer.Create(), Words, maxLength: 7).Truncate(ids));
        Assert.Equal(new long[] { 7 }, new TextEncoder(Tokenizer.Create(), Words, maxLength: 1).Truncate(ids));
    }

    [Fact]
    public void Decode_JoinsWordsAndGluesClosingPunctuation()
        => Assert.Equal("it is good.", new TextEncoder(Tokenizer.Create(), Words).Decode(new long[] { 2, 3, 4, 5 }));

    [Fact]
    public void Decode_IdOutsideTheVocabulary_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new TextEncoder(Tokenizer.Create(), Words).Decode(new long[] { 2, 7 }));

    [Fact]
    public void Create_MaxLengthBelowOne_ThrowsNamingItAndTheValue()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TextEncoder(Tokenizer.Create(), Words, maxLength: 0));
        Assert.Equal("maxLength", e.ParamName);
        Assert.Contains("got 0", e.Message);
    }
}
