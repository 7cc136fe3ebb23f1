namespace RnnMl.Text.Tagging;

/// <summary>How span (chunk, entity) tags are written: a prefix, a hyphen and the span type (<c>B-PER</c>), or <c>O</c>.</summary>
public enum TagScheme
{
    /// <summary>IOB2, also called BIO: every span starts with <c>B-X</c> and continues with <c>I-X</c>.</summary>
    Bio,

    /// <summary>IOB1 (CoNLL-2003's original files): a span starts with <c>I-X</c>; <c>B-X</c> only marks a span that directly follows another of type X.</summary>
    Iob1,

    /// <summary>IOBES (BIOES): <c>B-X</c> begins, <c>I-X</c> continues and <c>E-X</c> ends a span of two or more tokens; <c>S-X</c> is a one-token span.</summary>
    Iobes,
}
