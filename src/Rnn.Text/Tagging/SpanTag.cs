namespace RnnMl.Text.Tagging;

/// <summary>A span tag split as conlleval splits it: the part before the first hyphen is the prefix, the rest the type.</summary>
/// <param name="Prefix">The first character of the part before the first hyphen (<c>O</c> for <c>O</c>).</param>
/// <param name="Type">The part after the first hyphen; empty for <c>O</c> and for tags without a hyphen.</param>
public readonly record struct SpanTag(char Prefix, string Type)
{
    /// <summary>The prefix-less outside tag.</summary>
    public static SpanTag Outside { get; } = new('O', "");

    /// <summary>Splits <paramref name="tag"/> at its first hyphen: <c>B-PER</c> → (B, PER), <c>O</c> → (O, "").</summary>
    /// <exception cref="ArgumentException">The tag is empty, or its prefix is longer than one character.</exception>
    public static SpanTag Parse(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        int hyphen = tag.IndexOf('-');
        string prefix = hyphen < 0 ? tag : tag[..hyphen];
        if (prefix.Length != 1)
            throw new ArgumentException($"a span tag is O or a one-letter prefix, a hyphen and a type (B-PER), got '{tag}'", nameof(tag));
        return new SpanTag(prefix[0], hyphen < 0 ? "" : tag[(hyphen + 1)..]);
    }
}
