namespace RnnMl.Text.Data;

/// <summary>One sentence of a tagged corpus: its tokens and one tag per token.</summary>
/// <param name="Tokens">The tokens (word forms).</param>
/// <param name="Tags">The tags, as many as the tokens.</param>
/// <param name="Line">The 1-based line of the file where the sentence's first token stands.</param>
public sealed record TaggedSentence(IReadOnlyList<string> Tokens, IReadOnlyList<string> Tags, int Line);
