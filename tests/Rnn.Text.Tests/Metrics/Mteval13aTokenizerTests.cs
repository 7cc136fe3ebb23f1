using RnnMl.Text.Metrics;

namespace RnnMl.Text.Tests.Metrics;

public class Mteval13aTokenizerTests
{
    [Theory]
    // A period or comma is split from a neighbouring non-digit.
    [InlineData("Hello, world.", "Hello , world .")]
    // ...but stays inside numbers.
    [InlineData("It costs 3.50 or 4,000 won.", "It costs 3.50 or 4,000 won .")]
    // The ASCII symbols of the first rule get spaces around them.
    [InlineData("(a+b)=c? \"yes\"!", "( a + b ) = c ? \" yes \" !")]
    [InlineData("a/b;c:d@e", "a / b ; c : d @ e")]
    // Apostrophes and word-internal hyphens stay; a hyphen after a digit is split.
    [InlineData("isn't well-made", "isn't well-made")]
    [InlineData("pages 10-12", "pages 10 - 12")]
    // mteval's unescaping and line handling.
    [InlineData("a &quot;b&quot; &amp; c &lt;d&gt;", "a \" b \" & c < d >")]
    [InlineData("hyphen-\nated line\nbreak", "hyphenated line break")]
    [InlineData("<skipped>kept", "kept")]
    // White space collapsed, trailing space ignored, non-ASCII untouched.
    [InlineData("  나는   학생이다.  ", "나는 학생이다 .")]
    [InlineData("", "")]
    public void Tokenize_FollowsMteval13aRules(string input, string expected)
        => Assert.Equal(expected, Mteval13aTokenizer.Tokenize(input));

    [Fact]
    public void Tokens_SplitOnUnitSeparatorsLikePython()
        => Assert.Equal(new[] { "a", "b" }, Mteval13aTokenizer.Tokens("a\u001fb"));
}
