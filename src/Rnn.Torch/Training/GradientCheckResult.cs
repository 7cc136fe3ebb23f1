namespace RnnMl.Torch.Training;

/// <summary>How far autograd's gradient is from a finite-difference estimate.</summary>
/// <param name="RelativeError">‖analytic − numeric‖₂ / max(‖analytic‖₂, ‖numeric‖₂) over all checked elements (0 when both are 0).</param>
/// <param name="MaxAbsoluteError">The largest |analytic − numeric| over all checked elements.</param>
/// <param name="ElementsChecked">How many scalar inputs were perturbed.</param>
public sealed record GradientCheckResult(double RelativeError, double MaxAbsoluteError, long ElementsChecked);
