using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>Gradient clipping, the standard remedy for exploding gradients in BPTT.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients together so that their global L2 norm is at most <paramref name="maxNorm"/>; directions
    /// are kept. Parameters without a gradient are skipped.
    /// </summary>
    /// <remarks>norm = √(Σ_p ‖∇p‖²); when norm &gt; maxNorm every gradient is multiplied by maxNorm / (norm + 1e-6), as PyTorch's <c>clip_grad_norm_</c> does.</remarks>
    /// <param name="parameters">The parameters whose <c>grad</c> to clip.</param>
    /// <param name="maxNorm">The largest global norm allowed; must be positive and finite.</param>
    /// <returns>The global norm before clipping (NaN or infinity when a gradient is not finite; nothing is scaled then).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not positive and finite.</exception>
    public static double ClipGlobalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0) || double.IsInfinity(maxNorm))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, $"max norm must be positive and finite, got {maxNorm}");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        if (grads.Count == 0) return 0.0;
        // One norm per gradient in its own dtype (a single pass, no copy: converting a large embedding gradient to
        // float64 on every step costs more than the rest of the clipping), then the norm of those norms in float64.
        var total = stack(grads.Select(g => g.norm().to(ScalarType.Float64)).ToArray()).norm().item<double>();
        if (double.IsFinite(total) && total > maxNorm)
        {
            double scale = maxNorm / (total + 1e-6);
            foreach (var g in grads) g.mul_(scale);
        }
        return total;
    }
}
