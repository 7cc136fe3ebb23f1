using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>Pads numeric sequences of different lengths into a batch for <see cref="NumericSequenceModel"/>.</summary>
public static class NumericSequenceBatch
{
    /// <summary>Builds (N, T, F) float32 values and (N) int64 lengths, T the longest sequence, padded steps 0.</summary>
    /// <param name="rows">N sequences, each T_i·F values, step-major (step t's features at t·F .. t·F + F − 1).</param>
    /// <param name="featuresPerStep">F ≥ 1.</param>
    /// <param name="missing">What to do with NaN and ±∞; default <see cref="MissingValuePolicy.Error"/>.</param>
    /// <param name="device">Where the tensors go; default CPU.</param>
    /// <exception cref="ArgumentException">
    /// No rows; a row is null, empty or not a whole number of steps (naming the row and both numbers); a missing value
    /// (naming the row, step and feature, 0-based) under <see cref="MissingValuePolicy.Error"/> or at step 0.
    /// </exception>
    public static (Tensor Values, Tensor Lengths) Create(IReadOnlyList<float[]> rows, int featuresPerStep,
        MissingValuePolicy missing = MissingValuePolicy.Error, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (featuresPerStep < 1)
            throw new ArgumentOutOfRangeException(nameof(featuresPerStep), featuresPerStep, $"features per step must be at least 1, got {featuresPerStep}");
        if (!Enum.IsDefined(missing))
            throw new ArgumentOutOfRangeException(nameof(missing), missing, $"missing-value policy must be Error or ForwardFill, got {missing}");
        if (rows.Count == 0) throw new ArgumentException("at least one row is needed", nameof(rows));
        int f = featuresPerStep;
        var lengths = new long[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i] ?? throw new ArgumentException($"row {i} is null", nameof(rows));
            if (row.Length == 0 || row.Length % f != 0)
                throw new ArgumentException($"row {i} has {row.Length} values, not a positive whole number of steps of {f} features", nameof(rows));
            lengths[i] = row.Length / f;
        }
        long steps = lengths.Max();
        var values = new float[rows.Count * steps * f];
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            long offset = i * steps * f;
            for (int k = 0; k < row.Length; k++)
            {
                float v = row[k];
                if (!float.IsFinite(v))
                {
                    int step = k / f, feature = k % f;
                    if (missing == MissingValuePolicy.Error)
                        throw new ArgumentException($"row {i}, step {step}, feature {feature} is {v} (missing values are an error; forward-fill is off)", nameof(rows));
                    if (step == 0)
                        throw new ArgumentException($"row {i}, step 0, feature {feature} is {v}: nothing to forward-fill from", nameof(rows));
                    v = values[offset + k - f];
                }
                values[offset + k] = v;
            }
        }
        var device_ = device ?? CPU;
        return (tensor(values, device: device_).reshape(rows.Count, steps, f), tensor(lengths, device: device_));
    }
}
