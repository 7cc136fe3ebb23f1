namespace RnnMl.Text.Decoding;

/// <summary>The translation <see cref="BeamSearch"/> chose for one sentence.</summary>
/// <param name="Tokens">Target token ids, without the begin and end tokens.</param>
/// <param name="LogProbability">The sum of the log-probabilities of the tokens and of the end token (if one was produced).</param>
/// <param name="Score">What the search ranked by: <paramref name="LogProbability"/> / length^α, the length counting the end token.</param>
/// <param name="Ended">True if the hypothesis produced the end token; false if the length limit cut it off.</param>
public sealed record BeamHypothesis(long[] Tokens, double LogProbability, double Score, bool Ended);
