namespace RnnMl.Text.Internal;

/// <summary>
/// Checks one numeric sequence (T·F values, step-major: step t's features at t·F … t·F + F − 1) where it enters: a
/// positive whole number of steps, and finite values, or missing ones (NaN, ±∞) forward-filled from the same feature's
/// previous step. Shared by the ML.NET numeric-sequence trainers and the libtorch-free ONNX runner, so both refuse and
/// fill alike; the caller chooses the exception type.
/// </summary>
internal static class NumericSteps
{
    /// <summary>The sequence's values, a copy with missing values filled when <paramref name="forwardFill"/>.</summary>
    /// <param name="values">T·F values.</param>
    /// <param name="featuresPerStep">F ≥ 1.</param>
    /// <param name="forwardFill">Fill a missing value from the previous step (a missing value at step 0 is still an error).</param>
    /// <param name="row">How the message names the sequence, e.g. "row 12".</param>
    /// <param name="error">Makes the exception from the message.</param>
    /// <returns>T·F finite values.</returns>
    public static float[] Prepare(ReadOnlySpan<float> values, int featuresPerStep, bool forwardFill, string row, Func<string, Exception> error)
    {
        int f = featuresPerStep;
        if (values.Length == 0 || values.Length % f != 0)
            throw error($"{row} has {values.Length} values, which is not a positive whole number of steps of FeaturesPerStep = {f} ({values.Length} % {f} = {values.Length % f})");
        var result = values.ToArray();
        for (int k = 0; k < result.Length; k++)
        {
            if (float.IsFinite(result[k])) continue;
            int step = k / f, feature = k % f;
            if (!forwardFill)
                throw error($"{row}, step {step}, feature {feature} is {result[k]}: missing values are an error unless forward-fill is chosen");
            if (step == 0)
                throw error($"{row}, step 0, feature {feature} is {result[k]}: nothing to forward-fill from");
            result[k] = result[k - f];
        }
        return result;
    }
}
