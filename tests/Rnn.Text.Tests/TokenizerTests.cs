namespace RnnMl.Text.Tests;

public class TokenizerTests
{
    [Fact]
    public void Tokenize_Word_SplitsPunctuationAndKeepsContractions()
        => Assert.Equal(new[] { "don't", "stop", ",", "it's", "well-made", "!" }, Tokenizer.Create().Tokenize("Don't stop, it's well-made!"));

    [Fact]
    public void Tokenize_Word_KeepsHangulWordsWhole()
        => Assert.Equal(new[] { "나는", "학생이다", "." }, Tokenizer.Create().Tokenize("나는 학생이다."));

    [Fact]
    public void Tokenize_Character_UsesGraphemesAndOneSpaceToken()
    {
        // "é" written as e + combining acute stays one token without normalisation; runs of spaces become one " ".
        var tokens = Tokenizer.Create(TokenizerKind.Character, lowerCase: false, TextNormalization.None).Tokenize("e\u0301a  b ");
        Assert.Equal(new[] { "e\u0301", "a", " ", "b" }, tokens);
    }

    [Fact]
    public void Tokenize_Character_SplitsHangulIntoSyllables()
        => Assert.Equal(new[] { "학", "생" }, Tokenizer.Create(TokenizerKind.Character).Tokenize("학생"));

    [Fact]
    public void Normalize_Nfkc_FoldsCompatibilityForms()
        // Full-width Latin letters and the "ﬁ" ligature fold to ASCII under NFKC, not under NFC.
        => Assert.Equal(("abcfi", "ａｂｃﬁ"), (Tokenizer.Create(normalization: TextNormalization.NFKC).Normalize("ＡＢＣﬁ"),
            Tokenizer.Create(normalization: TextNormalization.NFC).Normalize("ＡＢＣﬁ")));

    [Fact]
    public void Normalize_Nfc_ComposesDecomposedHangul()
        // U+1112 U+1161 U+11AB (conjoining jamo) compose to the syllable "한" under NFC.
        => Assert.Equal("한", Tokenizer.Create(TokenizerKind.Character, normalization: TextNormalization.NFC).Normalize("\u1112\u1161\u11AB"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Tokenize_EmptyOrBlank_GivesNoTokens(string? text)
    {
        Assert.Empty(Tokenizer.Create().Tokenize(text));
        Assert.Empty(Tokenizer.Create(TokenizerKind.Character).Tokenize(text));
    }

    [Fact]
    public void Create_UndefinedKind_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Create((TokenizerKind)7));
        Assert.Equal("kind", e.ParamName);
        Assert.Contains("7", e.Message);
    }

    [Theory]
    [InlineData(TextNormalization.NFKC)]
    [InlineData(TextNormalization.NFC)]
    [InlineData(TextNormalization.None)]
    public void Normalize_IllFormedUtf16_ReplacesLoneSurrogatesAndNonCharactersWithReplacementCharacter(TextNormalization normalization)
    {
        var tokenizer = Tokenizer.Create(normalization: normalization);
        // A lone high surrogate, a lone low surrogate, U+FFFE, U+FDD0 and U+1FFFF (a non-character outside the BMP) each
        // become one U+FFFD; a well-formed pair (U+1F600) is kept.
        Assert.Equal("the plot was \uFFFD good \uFFFD\uFFFD\uFFFD\uFFFD \U0001F600",
            tokenizer.Normalize("the plot was \uD800 good \uDC00\uFFFE\uFDD0\U0001FFFF \U0001F600"));
    }

    [Fact]
    public void Tokenize_IllFormedUtf16_GivesReplacementCharacterTokens()
    {
        Assert.Equal(new[] { "the", "plot", "\uFFFD", "good", "\uFFFD" }, Tokenizer.Create().Tokenize("the plot \uD800 good \uFFFE"));
        Assert.Equal(new[] { "a", "\uFFFD", "b" }, Tokenizer.Create(TokenizerKind.Character).Tokenize("a\uDFFFb"));
    }
}
