using System.Text;
using System.Text.RegularExpressions;

namespace RnnMl.Text.Metrics;

/// <summary>
/// The tokenisation that BLEU scores are reported with: mteval-v13a, as sacreBLEU's default <c>13a</c> tokenizer
/// applies it, so that our BLEU numbers can be compared with published ones.
/// </summary>
/// <remarks>
/// Steps, in order: remove <c>&lt;skipped&gt;</c>, join lines broken after a hyphen, turn line breaks into spaces,
/// unescape <c>&amp;quot; &amp;amp; &amp;lt; &amp;gt;</c>; then put spaces around the ASCII symbols
/// <c>{|}~ [\]^_` !"#$%&amp; ()*+ :;&lt;=&gt;?@ /</c>, split a period or comma from a preceding non-digit and from a
/// following non-digit (so "3.5" and "4,000" stay whole), split a hyphen that follows a digit, and collapse white space.
/// Apostrophes and other hyphens stay inside words.
/// </remarks>
public static partial class Mteval13aTokenizer
{
    [GeneratedRegex(@"([{-~\[-` -&(-+:-@/])", RegexOptions.CultureInvariant)]
    private static partial Regex Symbols();

    [GeneratedRegex(@"([^0-9])([.,])", RegexOptions.CultureInvariant)]
    private static partial Regex PunctuationAfterNonDigit();

    [GeneratedRegex(@"([.,])([^0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex PunctuationBeforeNonDigit();

    [GeneratedRegex(@"([0-9])(-)", RegexOptions.CultureInvariant)]
    private static partial Regex HyphenAfterDigit();

    /// <summary>Tokenises one segment and returns its tokens joined by single spaces.</summary>
    /// <param name="line">The segment; trailing white space is ignored.</param>
    public static string Tokenize(string line) => string.Join(' ', Tokens(line));

    /// <summary>Tokenises one segment into its tokens.</summary>
    /// <param name="line">The segment; trailing white space is ignored.</param>
    public static string[] Tokens(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var s = line.TrimEnd(PythonWhiteSpace)
            .Replace("<skipped>", "", StringComparison.Ordinal)
            .Replace("-\n", "", StringComparison.Ordinal)
            .Replace("\n", " ", StringComparison.Ordinal)
            .Replace("&quot;", "\"", StringComparison.Ordinal)
            .Replace("&amp;", "&", StringComparison.Ordinal)
            .Replace("&lt;", "<", StringComparison.Ordinal)
            .Replace("&gt;", ">", StringComparison.Ordinal);
        s = " " + s + " ";
        s = Symbols().Replace(s, " $1 ");
        s = PunctuationAfterNonDigit().Replace(s, "$1 $2 ");
        s = PunctuationBeforeNonDigit().Replace(s, " $1 $2");
        s = HyphenAfterDigit().Replace(s, "$1 $2 ");
        return SplitOnWhiteSpace(s);
    }

    /// <summary>Splits on white space as Python's <c>str.split()</c> does (which also counts U+001C–U+001F).</summary>
    internal static string[] SplitOnWhiteSpace(string s)
    {
        var tokens = new List<string>();
        int start = -1;
        for (int i = 0; i <= s.Length; i++)
        {
            bool space = i == s.Length || IsPythonWhiteSpace(s[i]);
            if (space && start >= 0) { tokens.Add(s[start..i]); start = -1; }
            else if (!space && start < 0) start = i;
        }
        return tokens.ToArray();
    }

    internal static bool IsPythonWhiteSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001c' and <= '\u001f';

    private static readonly char[] PythonWhiteSpace = Enumerable.Range(0, 0x3001).Select(i => (char)i).Where(IsPythonWhiteSpace).ToArray();
}
