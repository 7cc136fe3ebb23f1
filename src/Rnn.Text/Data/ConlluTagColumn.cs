namespace RnnMl.Text.Data;

/// <summary>Which CoNLL-U column <see cref="ConlluReader"/> reads as the tag.</summary>
public enum ConlluTagColumn
{
    /// <summary>Column 4, UPOS: the universal part-of-speech tag (17 tags).</summary>
    Upos,

    /// <summary>Column 5, XPOS: the treebank's own part-of-speech tag (<c>_</c> where the treebank has none).</summary>
    Xpos,
}
