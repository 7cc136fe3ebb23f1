namespace RnnMl.Text.Decoding;

/// <summary>
/// How a translator turns a source into a target, the one set of decoding settings for every side: TorchSharp's
/// <c>GreedyDecoder</c> and <c>BeamSearchDecoder</c>, the ML.NET translator, the ONNX translator, and the defaults an
/// exported translator stores (<see cref="RnnMl.Text.Export.TranslationModelInfo.Decoding"/>). Checked by <see cref="Validate"/>.
/// </summary>
/// <example>
/// <code>
/// var greedy = new DecodingOptions { BeamWidth = 1 };
/// var wide = new DecodingOptions { BeamWidth = 8, LengthPenalty = 0.6, MaxLengthRatio = 1.5 }.Validate();
/// var exhaustive = new DecodingOptions { RelativeThreshold = 0 };   // no pruning: every step refills K hypotheses
/// </code>
/// </example>
public sealed record DecodingOptions
{
    /// <summary>Hypotheses kept per sentence; at least 1; 1 is greedy decoding. Default 5.</summary>
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

    /// <summary>
    /// Relative threshold pruning rp of beam search (Freitag and Al-Onaizan, 2017): at each step a sentence drops the
    /// candidates whose summed log-probability is below its best candidate's + ln rp (probability less than rp times the
    /// best's), so confident steps keep fewer live hypotheses and the decoder runs fewer rows. In [0, 1]; 0 prunes
    /// nothing, 1 keeps only candidates tied with the best. Default 0.5: on Multi30k val (beam 5, the default-size model)
    /// 24.2 decoder rows per sentence instead of 73.8 (greedy 14.5) and BLEU 21.53 instead of 22.17 (greedy 18.71), beam
    /// at 0.64 of greedy's speed instead of 0.27 (README, beam pruning).
    /// </summary>
    public double RelativeThreshold { get; init; } = 0.5;

    /// <summary>At most this many candidates (ended or continued) from one hypothesis per step; at least 0, 0 for no limit
    /// (the beam width). Default 0 (off).</summary>
    public int MaxCandidatesPerHypothesis { get; init; }

    /// <summary>
    /// When true, each hypothesis that ends narrows its sentence's beam by one (K − ended live hypotheses, as several
    /// toolkits do) instead of being replaced by the next-best continuation; the sentence stops after K ended ones at the
    /// latest. Default false.
    /// </summary>
    public bool ShrinkBeamOnEnd { get; init; }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first bad setting and its value; returns this.</summary>
    public DecodingOptions Validate()
    {
        if (BeamWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(BeamWidth), BeamWidth, $"beam width must be at least 1, got {BeamWidth}");
        if (!(LengthPenalty >= 0) || double.IsInfinity(LengthPenalty))
            throw new ArgumentOutOfRangeException(nameof(LengthPenalty), LengthPenalty, $"length penalty must be at least 0 and finite, got {LengthPenalty}");
        if (!(MaxLengthRatio > 0) || double.IsInfinity(MaxLengthRatio))
            throw new ArgumentOutOfRangeException(nameof(MaxLengthRatio), MaxLengthRatio, $"maximum length ratio must be positive and finite, got {MaxLengthRatio}");
        if (MaxLengthOffset < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxLengthOffset), MaxLengthOffset, $"maximum length offset must be at least 0, got {MaxLengthOffset}");
        if (!(RelativeThreshold >= 0 && RelativeThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(RelativeThreshold), RelativeThreshold, $"relative threshold must be in [0, 1], got {RelativeThreshold}");
        if (MaxCandidatesPerHypothesis < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxCandidatesPerHypothesis), MaxCandidatesPerHypothesis, $"maximum candidates per hypothesis must be at least 0 (0 for no limit), got {MaxCandidatesPerHypothesis}");
        return this;
    }

    /// <summary>The length limit for a source of <paramref name="sourceLength"/> tokens; at least 1.</summary>
    /// <param name="sourceLength">S, at least 0.</param>
    public int MaxLength(long sourceLength) => (int)Math.Max(1, Math.Min(int.MaxValue, Math.Floor(MaxLengthRatio * sourceLength) + MaxLengthOffset));
}
