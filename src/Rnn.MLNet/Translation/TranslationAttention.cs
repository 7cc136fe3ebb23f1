namespace RnnMl.MLNet.Translation;

/// <summary>Where the decoder looked while translating one sentence greedily (for plotting an attention heat map).</summary>
/// <param name="SourceTokens">The source's tokens, S of them, as the model saw them (normalised, unknown words as "&lt;unk&gt;").</param>
/// <param name="TargetTokens">The output tokens, T of them, ending with "&lt;/s&gt;" when the model stopped by itself.</param>
/// <param name="Weights">T rows of S weights; row t sums to 1 (an empty array for a model without attention).</param>
public sealed record TranslationAttention(string[] SourceTokens, string[] TargetTokens, float[][] Weights);
