namespace RnnMl.Text.Metrics;

/// <summary>Span counts and the precision, recall and F1 derived from them (fractions in [0, 1]; 0 when undefined, as conlleval prints).</summary>
/// <param name="Gold">Spans in the gold tags.</param>
/// <param name="Predicted">Spans in the predicted tags.</param>
/// <param name="Correct">Predicted spans with the same type, start and end as a gold span.</param>
public sealed record SpanScores(long Gold, long Predicted, long Correct)
{
    /// <summary>Correct / Predicted; 0 when nothing was predicted.</summary>
    public double Precision => Predicted == 0 ? 0 : (double)Correct / Predicted;

    /// <summary>Correct / Gold; 0 when there are no gold spans.</summary>
    public double Recall => Gold == 0 ? 0 : (double)Correct / Gold;

    /// <summary>2PR / (P + R); 0 when P + R = 0.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}
