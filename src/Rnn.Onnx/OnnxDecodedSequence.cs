namespace RnnMl.Onnx;

/// <summary>One target sentence decoded by an <see cref="OnnxTranslator"/> (the counterpart of TorchSharp's <c>DecodedSequence</c>).</summary>
/// <param name="Tokens">Target token ids, without the begin and end tokens.</param>
/// <param name="LogProbability">The sum of the log-probabilities of the tokens and of the end token (if one was produced).</param>
/// <param name="Score">What the decoder ranked by: <paramref name="LogProbability"/> / length^α (α the length penalty; equal to the log-probability for greedy decoding).</param>
public sealed record OnnxDecodedSequence(long[] Tokens, double LogProbability, double Score);
