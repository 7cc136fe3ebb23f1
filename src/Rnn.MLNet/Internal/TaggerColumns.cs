namespace RnnMl.MLNet.Internal;

/// <summary>The columns of a tagger: the tokens (or text) it reads and the two it adds.</summary>
internal sealed record TaggerColumns(string Tokens, string PredictedLabel, string Score);
