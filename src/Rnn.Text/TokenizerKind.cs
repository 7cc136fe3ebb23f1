namespace RnnMl.Text;

/// <summary>How text is cut into tokens.</summary>
public enum TokenizerKind
{
    /// <summary>Words: split at white space, punctuation and symbols become tokens of their own. The default.</summary>
    Word,

    /// <summary>Characters (user-perceived, so a Hangul syllable or an accented letter is one token); runs of white space become one space token. Suits languages such as Korean.</summary>
    Character,
}
