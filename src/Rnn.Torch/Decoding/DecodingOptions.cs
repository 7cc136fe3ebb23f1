using RnnMl.Text.Export;

namespace RnnMl.Torch.Decoding;

/// <summary>How a <see cref="RnnMl.Torch.Models.Seq2SeqModel"/> turns a source into a target; checked by <see cref="Validate"/>.</summary>
public sealed record DecodingOptions
{
    /// <summary>Hypotheses kept per sentence; at least 1. 1 is greedy decoding (<see cref="GreedyDecoder"/>). Default 5.</summary>
    public int BeamWidth { get; init; } = 5;

    /// <summary>
    /// Length normalisation α: beam search ranks ended hypotheses by (sum of log-probabilities) / length^α, the length
    /// counting the end token; 0 ranks by the plain sum (which favours short outputs). At least 0. Default 1.
    /// </summary>
    public double LengthPenalty { get; init; } = 1.0;

    /// <summary>
    /// The output of a source of S tokens stops after ⌊MaxLengthRatio · S⌋ + <see cref="MaxLengthOffset"/> tokens if no end token
    /// came before; positive. Default 2.
    /// </summary>
    public double MaxLengthRatio { get; init; } = 2.0;

    /// <summary>Added to the length limit; at least 0. Default 10.</summary>
    public int MaxLengthOffset { get; init; } = 10;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first bad option; returns this.</summary>
    public DecodingOptions Validate()
    {
        ToSettings().Validate();
        return this;
    }

    /// <summary>The length limit for a source of <paramref name="sourceLength"/> tokens; at least 1.</summary>
    /// <param name="sourceLength">S, at least 0.</param>
    public int MaxLength(long sourceLength) => ToSettings().MaxLength(sourceLength);

    /// <summary>The same settings as the TorchSharp-free <see cref="DecodingSettings"/> (what exported translators store and
    /// <c>RnnMl.Onnx</c> decodes with).</summary>
    public DecodingSettings ToSettings() => new()
    {
        BeamWidth = BeamWidth, LengthPenalty = LengthPenalty, MaxLengthRatio = MaxLengthRatio, MaxLengthOffset = MaxLengthOffset,
    };
}
