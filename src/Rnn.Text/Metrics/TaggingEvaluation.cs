namespace RnnMl.Text.Metrics;

/// <summary>The result of <see cref="ConllSpanEvaluator"/>: token accuracy and span scores per type and micro-averaged.</summary>
/// <param name="Tokens">Tokens evaluated.</param>
/// <param name="CorrectTokens">Tokens whose predicted tag equals the gold tag exactly (O included).</param>
/// <param name="Micro">Span counts summed over all types.</param>
/// <param name="PerType">Span counts per type (every type seen in gold or predicted tags), ordered by type name (ordinal).</param>
public sealed record TaggingEvaluation(long Tokens, long CorrectTokens, SpanScores Micro, IReadOnlyDictionary<string, SpanScores> PerType)
{
    /// <summary>CorrectTokens / Tokens; 0 when there are no tokens.</summary>
    public double TokenAccuracy => Tokens == 0 ? 0 : (double)CorrectTokens / Tokens;
}
