namespace RnnMl.Text;

/// <summary>How text is cut into tokens.</summary>
public enum TokenizerKind
{
    /// <summary>Words: split at white space, punctuation and symbols become tokens of their own. The default.</summary>
    Word,

    /// <summary>Characters (user-perceived, so a Hangul syllable or an accented letter is one token); runs of white space become one space token. Suits languages such as Korean.</summary>
    Character,

    /// <summary>Subword pieces: words as <see cref="Word"/> cuts them, each cut further by a learned byte-pair-encoding
    /// <see cref="SubwordModel"/> (frequent words stay whole, rare ones become frequent pieces). Suits rich morphology
    /// (German, Korean) and open vocabularies; needs the model, passed to <see cref="Tokenizer.Create"/>.</summary>
    Subword,
}
