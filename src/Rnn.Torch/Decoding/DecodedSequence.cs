namespace RnnMl.Torch.Decoding;

/// <summary>One decoded target sentence.</summary>
/// <param name="Tokens">Target token ids, without the begin and end tokens.</param>
/// <param name="LogProbability">The sum of the log-probabilities of the tokens and of the end token (if one was produced).</param>
/// <param name="Score">What the decoder ranked by: <paramref name="LogProbability"/> / length^α (α the length penalty; 0 for greedy decoding, where this equals the log-probability).</param>
/// <param name="Attention">With greedy decoding on request: one row per output step (the end step included), S source weights each; null otherwise.</param>
public sealed record DecodedSequence(long[] Tokens, double LogProbability, double Score, float[][]? Attention = null);
