namespace RnnMl.Torch.Training;

/// <summary>How well a language model predicts a token stream.</summary>
/// <param name="MeanNats">The mean next-token cross-entropy, in nats (natural log).</param>
/// <param name="Tokens">How many tokens were predicted.</param>
public sealed record LanguageModelScore(double MeanNats, long Tokens)
{
    /// <summary>Bits per token, MeanNats / ln 2: bits per character for a character model.</summary>
    public double BitsPerToken => LanguageModelMetrics.BitsPerToken(MeanNats);

    /// <summary>Perplexity, exp(MeanNats).</summary>
    public double Perplexity => LanguageModelMetrics.Perplexity(MeanNats);
}
