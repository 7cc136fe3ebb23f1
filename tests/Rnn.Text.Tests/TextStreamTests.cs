namespace RnnMl.Text.Tests;

/// <summary><see cref="TextStream"/>: lines as one stream with line breaks, prompts, and decoding back to text.</summary>
public class TextStreamTests
{
    private static TextStream Characters() => TextStream.Build(new[] { "ab a", "ba" }, Tokenizer.Create(TokenizerKind.Character, lowerCase: false));

    [Fact]
    public void Build_ReservesPaddingUnknownAndLineBreakFirst()
    {
        var s = Characters();
        Assert.Equal(new[] { "<pad>", "<unk>", TextStream.LineBreakToken }, s.Vocabulary.Tokens.Take(3));
        Assert.Equal(TextStream.LineBreakId, s.Vocabulary.IdOf(TextStream.LineBreakToken));
        Assert.Equal(6, s.Count); // a, b, space
    }

    [Fact]
    public void EncodeStream_PutsALineBreakBeforeEachLine_AndDecodeRestoresTheText()
    {
        var s = Characters();
        var ids = s.EncodeStream(new[] { "ab", "b a" });
        long a = s.Vocabulary.IdOf("a"), b = s.Vocabulary.IdOf("b"), sp = s.Vocabulary.IdOf(" ");
        Assert.Equal(new long[] { 2, a, b, 2, b, sp, a }, ids);
        Assert.Equal("\nab\nb a", s.Decode(ids));
    }

    [Fact]
    public void EncodePrompt_StartsWithALineBreakAndKeepsATrailingSpace()
    {
        var s = Characters();
        long a = s.Vocabulary.IdOf("a"), sp = s.Vocabulary.IdOf(" ");
        Assert.Equal(new long[] { 2 }, s.EncodePrompt(null));
        Assert.Equal(new long[] { 2, a }, s.EncodePrompt("a"));
        Assert.Equal(new long[] { 2, a, sp }, s.EncodePrompt("a "));
        Assert.Equal(new long[] { 2, 1 }, s.EncodePrompt("z"));
    }

    [Fact]
    public void TextOf_Words_AreJoinedBySpacesExceptAtTheStartOfALine()
    {
        var s = TextStream.Build(new[] { "the cat sat" }, Tokenizer.Create(TokenizerKind.Word));
        var ids = s.EncodeStream(new[] { "the cat", "sat" });
        Assert.Equal("\nthe cat\nsat", s.Decode(ids));
        Assert.Equal(" cat", s.TextOf(s.Vocabulary.IdOf("cat"), startsLine: false));
    }

    [Fact]
    public void Create_VocabularyWithoutLineBreak_IsRefusedNamingWhatIsThere()
    {
        var vocabulary = Vocabulary.FromTokens(new[] { "<pad>", "<unk>", "x" });
        var e = Assert.Throws<ArgumentException>(() => TextStream.Create(Tokenizer.Create(TokenizerKind.Character), vocabulary));
        Assert.Equal("vocabulary", e.ParamName);
        Assert.Contains("'x'", e.Message);
    }
}
