using static TorchSharp.torch;

namespace RnnMl.Torch.Forecasting;

/// <summary>
/// Per-window instance normalisation for forecasting (no parameters): each window and channel is shifted by its last
/// input value and optionally divided by its standard deviation over the L input steps; forecasts are mapped back.
/// </summary>
/// <remarks>
/// Input x (N, L, C). offset = x[:, L−1, :] (N, 1, C); scale = sqrt(var_L(x) + ε) (population variance over the L steps)
/// when <see cref="DivideByStd"/>, else 1. Normalize: z = (x − offset) / scale. Denormalize: ŷ = y·scale + offset for y
/// (N, H, C). Subtracting the last value (SegRNN, "RevIN-lite") removes level shifts between training and test windows.
/// </remarks>
public sealed class InstanceNormalization
{
    private InstanceNormalization(bool divideByStd, double epsilon)
    {
        (DivideByStd, Epsilon) = (divideByStd, epsilon);
    }

    /// <summary>Whether windows are also divided by their standard deviation.</summary>
    public bool DivideByStd { get; }

    /// <summary>ε added to the variance before the square root (no division by zero on a flat window).</summary>
    public double Epsilon { get; }

    /// <summary>The normalisation.</summary>
    /// <param name="divideByStd">Also divide by the window's std; default false (subtract the last value only).</param>
    /// <param name="epsilon">ε &gt; 0 added to the variance; default 1e-5.</param>
    public static InstanceNormalization Create(bool divideByStd = false, double epsilon = 1e-5)
    {
        if (!(epsilon > 0) || !double.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "must be finite and > 0");
        return new InstanceNormalization(divideByStd, epsilon);
    }

    /// <summary>Normalises a batch of windows.</summary>
    /// <param name="x">(N, L, C) floating point.</param>
    /// <returns>z (N, L, C), and the offset and scale (N, 1, C) that <see cref="Denormalize"/> needs (scale is null without std).</returns>
    public (Tensor Normalized, Tensor Offset, Tensor? Scale) Normalize(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 3) throw new ArgumentException($"x must be 3-D (N, L, C), got {x.dim()}-D", nameof(x));
        if (!x.is_floating_point()) throw new ArgumentException($"x must be floating point, got {x.dtype}", nameof(x));
        using var scope = NewDisposeScope();
        var offset = x[.., ^1.., ..];
        var z = x - offset;
        Tensor? scale = null;
        if (DivideByStd)
        {
            scale = (x.var(1, unbiased: false, keepdim: true) + Epsilon).sqrt();
            z = z / scale;
            scale.MoveToOuterDisposeScope();
        }
        return (z.MoveToOuterDisposeScope(), offset.MoveToOuterDisposeScope(), scale);
    }

    /// <summary>Maps normalised forecasts back: y·scale + offset.</summary>
    /// <param name="y">(N, H, C) in the normalised scale, or any shape that broadcasts against the offset and scale, e.g.
    /// (N, H, C, K) with <c>offset.unsqueeze(-1)</c> (how <see cref="SegmentRecurrentForecaster"/> denormalises its quantiles).</param>
    /// <param name="offset">(N, 1, C) from <see cref="Normalize"/>.</param>
    /// <param name="scale">(N, 1, C) from <see cref="Normalize"/>, or null.</param>
    public Tensor Denormalize(Tensor y, Tensor offset, Tensor? scale)
    {
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(offset);
        if (DivideByStd && scale is null) throw new ArgumentNullException(nameof(scale), "this normalisation divides by the std; pass the scale from Normalize");
        using var scope = NewDisposeScope();
        var result = scale is null ? y + offset : y * scale + offset;
        return result.MoveToOuterDisposeScope();
    }
}
