namespace RnnMl.MLNet.Forecasting;

/// <summary>
/// A forecaster's errors on every window of L + H consecutive rows of a data view (windows slide by one step), on the
/// data's own scale.
/// </summary>
/// <remarks>
/// Over N windows, H steps and C targets: MSE = (1/(N·H·C)) Σ (ŷ − y)², MAE likewise with |ŷ − y|, Coverage = the share of
/// the N·H·C truths y with lower ≤ y ≤ upper (nominal: the confidence level). Per target: averaged over windows and steps;
/// per step: averaged over windows and targets. <see cref="RepeatLastMse"/> is the same MSE of repeating each window's last
/// value (<see cref="RnnMl.Text.Series.RepeatLastForecaster"/>), for comparison.
/// </remarks>
/// <param name="Windows">N, the windows scored.</param>
/// <param name="Mse">Mean squared error over windows, steps and targets.</param>
/// <param name="Mae">Mean absolute error over windows, steps and targets.</param>
/// <param name="Coverage">Share of truths inside the interval.</param>
/// <param name="MsePerTarget">MSE of each target (C values).</param>
/// <param name="MaePerTarget">MAE of each target (C values).</param>
/// <param name="CoveragePerTarget">Coverage of each target (C values).</param>
/// <param name="MsePerStep">MSE of each horizon step (H values; step 1 first).</param>
/// <param name="MaePerStep">MAE of each horizon step (H values).</param>
/// <param name="RepeatLastMse">The repeat-last baseline's MSE on the same windows.</param>
public sealed record ForecastEvaluation(int Windows, double Mse, double Mae, double Coverage,
    IReadOnlyList<double> MsePerTarget, IReadOnlyList<double> MaePerTarget, IReadOnlyList<double> CoveragePerTarget,
    IReadOnlyList<double> MsePerStep, IReadOnlyList<double> MaePerStep, double RepeatLastMse);
