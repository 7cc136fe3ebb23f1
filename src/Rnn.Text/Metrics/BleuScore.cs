namespace RnnMl.Text.Metrics;

/// <summary>A corpus BLEU score with the statistics it was computed from (sacreBLEU's verbose output).</summary>
/// <param name="Score">BLEU on the 0–100 scale.</param>
/// <param name="Precisions">Modified n-gram precisions for n = 1..4, on the 0–100 scale, after smoothing.</param>
/// <param name="BrevityPenalty">exp(1 − r/c) when the hypotheses are shorter than the references (c &lt; r), else 1.</param>
/// <param name="HypothesisLength">c: hypothesis tokens in the corpus.</param>
/// <param name="ReferenceLength">r: reference tokens in the corpus (per segment, the reference closest in length).</param>
public sealed record BleuScore(double Score, IReadOnlyList<double> Precisions, double BrevityPenalty, long HypothesisLength, long ReferenceLength)
{
    /// <summary>sacreBLEU's format: "BLEU = 35.36 75.0/33.3/25.0/25.0 (BP = 1.000 ratio = 1.000 hyp_len = 4 ref_len = 4)".</summary>
    public override string ToString() =>
        FormattableString.Invariant($"BLEU = {Score:F2} {string.Join('/', Precisions.Select(p => p.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))} (BP = {BrevityPenalty:F3} ratio = {(ReferenceLength == 0 ? 0 : (double)HypothesisLength / ReferenceLength):F3} hyp_len = {HypothesisLength} ref_len = {ReferenceLength})");
}
