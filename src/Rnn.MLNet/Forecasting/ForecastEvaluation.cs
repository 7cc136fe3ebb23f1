namespace RnnMl.MLNet.Forecasting;

/// <summary>
/// A forecaster's errors on every window of L + H consecutive rows of a data view (windows slide by one step), on the
/// data's own scale.
/// </summary>
/// <remarks>
/// Over N windows, H steps and C targets: MSE = (1/(N·H·C)) Σ (ŷ − y)², MAE likewise with |ŷ − y|, Coverage = the share of
/// the N·H·C truths y with lower ≤ y ≤ upper (nominal: the confidence level). Per target: averaged over windows and steps;
/// per step: averaged over windows and targets. sMAPE = (200/(N·H·C)) Σ |ŷ − y| / (|ŷ| + |y|) in percent (a term with
/// ŷ = y = 0 counts 0), as in the M4 competition. MASE of target c = MAE_c / s_c, where s_c = mean |y_t − y_{t−1}| over the
/// evaluated rows (the one-step naive forecast's error on the same data; NaN when the target is constant); the overall and
/// per-step MASE average the targets' scaled errors. <see cref="RepeatLastMse"/> is the same MSE of repeating each window's last
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
/// <param name="Smape">sMAPE in percent, over windows, steps and targets.</param>
/// <param name="Mase">MASE, the mean of the targets' MASE.</param>
/// <param name="SmapePerTarget">sMAPE of each target (C values).</param>
/// <param name="MasePerTarget">MASE of each target (C values).</param>
/// <param name="SmapePerStep">sMAPE of each horizon step (H values).</param>
/// <param name="MasePerStep">MASE of each horizon step, averaged over targets (H values).</param>
public sealed record ForecastEvaluation(int Windows, double Mse, double Mae, double Coverage,
    IReadOnlyList<double> MsePerTarget, IReadOnlyList<double> MaePerTarget, IReadOnlyList<double> CoveragePerTarget,
    IReadOnlyList<double> MsePerStep, IReadOnlyList<double> MaePerStep, double RepeatLastMse,
    double Smape, double Mase, IReadOnlyList<double> SmapePerTarget, IReadOnlyList<double> MasePerTarget,
    IReadOnlyList<double> SmapePerStep, IReadOnlyList<double> MasePerStep);
