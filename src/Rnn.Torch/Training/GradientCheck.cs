using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>Checks autograd gradients against central finite differences; use float64 tensors.</summary>
public static class GradientCheck
{
    /// <summary>
    /// Compares ∂f/∂x from autograd with (f(x + ε) − f(x − ε)) / 2ε for every element of every tensor in
    /// <paramref name="inputs"/>. The inputs are perturbed in place and restored.
    /// </summary>
    /// <param name="function">Computes a scalar from the current values of <paramref name="inputs"/>; must be deterministic (no dropout).</param>
    /// <param name="inputs">Leaf tensors with <c>requires_grad</c> (parameters, or inputs); float64 for a meaningful check.</param>
    /// <param name="epsilon">The step ε; default 1e-6.</param>
    /// <returns>Relative and absolute errors over all elements.</returns>
    /// <exception cref="ArgumentException">An input does not require grad, or the function does not return a scalar.</exception>
    public static GradientCheckResult Check(Func<Tensor> function, IReadOnlyList<Tensor> inputs, double epsilon = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!(epsilon > 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"epsilon must be positive, got {epsilon}");
        for (int i = 0; i < inputs.Count; i++)
            if (!inputs[i].requires_grad)
                throw new ArgumentException($"inputs[{i}] must require grad, got requires_grad = false", nameof(inputs));

        var analytic = new double[inputs.Count][];
        using (var scope = NewDisposeScope())
        {
            foreach (var x in inputs) x.grad?.zero_();
            var y = function();
            if (y.numel() != 1)
                throw new ArgumentException($"the function must return a scalar, got shape [{string.Join(", ", y.shape)}]", nameof(function));
            var grads = autograd.grad(new[] { y }, inputs.ToList(), allow_unused: true);
            for (int i = 0; i < inputs.Count; i++)
                analytic[i] = grads[i] is null || grads[i].IsInvalid
                    ? new double[inputs[i].numel()]
                    : grads[i].to(ScalarType.Float64).contiguous().flatten().data<double>().ToArray();
        }

        double diffSq = 0, aSq = 0, nSq = 0, maxAbs = 0;
        long count = 0;
        using (no_grad())
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                using var flat = inputs[i].view(-1);
                for (long e = 0; e < flat.numel(); e++)
                {
                    using var element = flat[e];
                    double original = element.to(ScalarType.Float64).item<double>();
                    // Scalars held by `using` until the element is restored: see PinnedScalars.
                    using var up = (original + epsilon).ToScalar();
                    using var down = (original - epsilon).ToScalar();
                    using var back = original.ToScalar();
                    element.fill_(up);
                    double plus = Evaluate(function);
                    element.fill_(down);
                    double minus = Evaluate(function);
                    element.fill_(back);
                    double numeric = (plus - minus) / (2 * epsilon);
                    double a = analytic[i][e];
                    diffSq += (a - numeric) * (a - numeric);
                    aSq += a * a;
                    nSq += numeric * numeric;
                    maxAbs = Math.Max(maxAbs, Math.Abs(a - numeric));
                    count++;
                }
            }
        }
        double denom = Math.Sqrt(Math.Max(aSq, nSq));
        return new GradientCheckResult(denom == 0 ? 0 : Math.Sqrt(diffSq) / denom, maxAbs, count);
    }

    private static double Evaluate(Func<Tensor> function)
    {
        using var scope = NewDisposeScope();
        return function().to(ScalarType.Float64).item<double>();
    }
}
