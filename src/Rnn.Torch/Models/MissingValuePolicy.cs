namespace RnnMl.Torch.Models;

/// <summary>What <see cref="NumericSequenceBatch"/> does with a NaN or ±∞ value.</summary>
public enum MissingValuePolicy
{
    /// <summary>Throw an <see cref="ArgumentException"/> naming the row, step and feature of the first missing value. The default.</summary>
    Error,

    /// <summary>
    /// Take the value of the same feature at the previous step of the same row; a missing value at step 0 is still an
    /// error (nothing to fill from).
    /// </summary>
    ForwardFill,
}
