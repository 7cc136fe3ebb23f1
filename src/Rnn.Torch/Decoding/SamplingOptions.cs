namespace RnnMl.Torch.Decoding;

/// <summary>How <see cref="TextGenerator"/> picks each next token; checked by <see cref="Validate"/> when generation starts.</summary>
/// <remarks>
/// Each step divides the logits by <see cref="Temperature"/>, keeps the <see cref="TopK"/> most probable tokens, then
/// the smallest set of the most probable ones whose probabilities add up to at least <see cref="TopP"/> (nucleus
/// sampling; the most probable token is always kept), renormalises and draws. Temperature 0 or TopK 1 is greedy
/// decoding (always the most probable token, the lowest id on a tie). The padding and unknown tokens are never chosen.
/// </remarks>
public sealed record SamplingOptions
{
    /// <summary>Softmax temperature τ: p ∝ exp(logit / τ); 0 for greedy decoding; at least 0 and finite. Default 1.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Keep only the k most probable tokens; at least 1, or null for no limit. Default null.</summary>
    public int? TopK { get; init; } = null;

    /// <summary>Nucleus sampling: keep the most probable tokens up to this cumulative probability; in (0, 1]. Default 1 (no cut).</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>
    /// The seed of the random draws; sample i of a batch draws from <c>new Random(Seed + i)</c>, so any sample can be
    /// reproduced on its own, and output never depends on torch's global generator. Null for a fresh random seed per
    /// call. Default null.
    /// </summary>
    public int? Seed { get; init; } = null;

    /// <summary>The largest number of tokens generated per sample (characters for a character model); at least 1. Default 200.</summary>
    public int MaxLength { get; init; } = 200;

    /// <summary>
    /// Generation of a sample stops as soon as its text contains one of these strings, which is cut off with everything
    /// after it; "\n" stops at the end of a line. Each must be non-empty. Default none.
    /// </summary>
    public IReadOnlyList<string> StopStrings { get; init; } = Array.Empty<string>();

    /// <summary>Whether every step takes the most probable token (Temperature 0 or TopK 1).</summary>
    public bool IsGreedy => Temperature == 0 || TopK == 1;

    /// <summary>Throws an <see cref="ArgumentException"/>-family error naming the first bad option; returns this.</summary>
    public SamplingOptions Validate()
    {
        if (!(Temperature >= 0) || double.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, $"temperature must be at least 0 (0 for greedy) and finite, got {Temperature}");
        if (TopK is < 1)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, $"top-k must be at least 1 (or null for no limit), got {TopK}");
        if (!(TopP > 0 && TopP <= 1))
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, $"top-p must be in (0, 1], got {TopP}");
        if (MaxLength < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, $"maximum length must be at least 1, got {MaxLength}");
        if (StopStrings is null)
            throw new ArgumentNullException(nameof(StopStrings), "stop strings must be a list (empty for none), got null");
        for (int i = 0; i < StopStrings.Count; i++)
            if (string.IsNullOrEmpty(StopStrings[i]))
                throw new ArgumentException($"stop strings must be non-empty, got an empty one at index {i}", nameof(StopStrings));
        return this;
    }
}
