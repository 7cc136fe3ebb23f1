namespace RnnMl.MLNet.Internal;

/// <summary>One row's token input as read before the vocabulary exists: text tokens (from a text or text-token
/// column) or token ids (from a key column, which needs no vocabulary). Exactly one of the two is set.</summary>
internal readonly record struct TokenSequence(string[]? Tokens, long[]? Ids)
{
    public static TokenSequence OfTokens(string[] tokens) => new(tokens, null);

    public static TokenSequence OfIds(long[] ids) => new(null, ids);
}
