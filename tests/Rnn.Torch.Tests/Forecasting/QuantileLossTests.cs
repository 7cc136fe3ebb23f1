using RnnMl.Torch.Forecasting;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Forecasting;

/// <summary>The pinball loss against hand-computed values and finite differences, and the checks of its arguments.</summary>
public class QuantileLossTests
{
    private static readonly double[] Levels = [0.1, 0.5, 0.9];

    [Fact]
    public void PinballEqualsHandComputedValue()
    {
        // Row 0: y = 1, q = (0, 1, 2): u = (1, 0, −1) → 0.1·1, 0, (0.9 − 1)·(−1) = 0.1 → 0.2.
        // Row 1: y = 4, q = (5, 4, 3): u = (−1, 0, 1) → (0.1 − 1)·(−1) = 0.9, 0, 0.9·1 = 0.9 → 1.8.
        // Mean over 2 × 3 = (0.2 + 1.8) / 6.
        using var q = tensor(new double[] { 0, 1, 2, 5, 4, 3 }).reshape(2, 3);
        using var y = tensor(new double[] { 1, 4 });
        using var loss = QuantileLoss.Pinball(q, y, Levels);
        Assert.Equal(2.0 / 6, loss.item<double>(), 12);
    }

    [Fact]
    public void PinballOfOneLevelIsAsymmetricAbsoluteError()
    {
        // τ = 0.25: under-forecast by 2 costs 0.25·2 = 0.5, over-forecast by 2 costs 0.75·2 = 1.5.
        using var q = tensor(new double[] { 1, 5 }).reshape(2, 1);
        using var y = tensor(new double[] { 3, 3 });
        using var loss = QuantileLoss.Pinball(q, y, [0.25]);
        Assert.Equal((0.5 + 1.5) / 2, loss.item<double>(), 12);
    }

    [Fact]
    public void PinballGradientMatchesFiniteDifferencesInFloat64()
    {
        manual_seed(5);
        using var scope = NewDisposeScope();
        var y = randn(4, 7, 2, dtype: ScalarType.Float64);
        // Keep every forecast at least 0.1 away from its truth: the loss has a kink at q = y.
        var gap = (rand(4, 7, 2, 3, dtype: ScalarType.Float64) + 0.1) * (randint(0, 2, new long[] { 4, 7, 2, 3 }).to(ScalarType.Float64) * 2 - 1);
        var q = (y.unsqueeze(-1) + gap).detach().requires_grad_();
        var result = GradientCheck.Check(() => QuantileLoss.Pinball(q, y, Levels) * 100, [q]);
        Assert.True(result.RelativeError < 1e-8, $"relative error {result.RelativeError}");
        using var grad = autograd.grad([QuantileLoss.Pinball(q, y, Levels)], [q])[0];
        Assert.True(grad.abs().min().item<double>() > 0, "every forecast must influence the loss");
    }

    [Fact]
    public void PinballRejectsShapesOneBadDimensionAtATime()
    {
        using var y = zeros(2, 3);
        using var good = zeros(2, 3, 3);
        using (var loss = QuantileLoss.Pinball(good, y, Levels)) Assert.Equal(0, loss.item<float>());
        foreach (var shape in new long[][] { [7, 3, 3], [2, 7, 3], [2, 3, 7], [2, 3] })
        {
            using var bad = zeros(shape);
            var e = Assert.Throws<ArgumentException>(() => QuantileLoss.Pinball(bad, y, Levels));
            Assert.Equal("forecast", e.ParamName);
            Assert.Contains($"[{string.Join(", ", shape)}]", e.Message);
            Assert.Contains("[2, 3, 3]", e.Message);
        }
    }

    [Theory]
    [InlineData(new double[0], "at least one")]
    [InlineData(new[] { 0.0, 0.5 }, "level 0 must be in (0, 1), got 0")]
    [InlineData(new[] { 0.5, 1.0 }, "level 1 must be in (0, 1), got 1")]
    [InlineData(new[] { 0.1, double.NaN }, "level 1 must be in (0, 1), got NaN")]
    [InlineData(new[] { 0.1, 0.7, 0.7 }, "level 2 is 0.7, level 1 is 0.7")]
    [InlineData(new[] { 0.9, 0.1 }, "level 1 is 0.1, level 0 is 0.9")]
    public void LevelsMustLieInOpenUnitIntervalAndIncrease(double[] levels, string message)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => QuantileLoss.CheckLevels(levels, "quantiles"));
        Assert.Equal("quantiles", e.ParamName);
        Assert.Contains(message, e.Message);
        Assert.ThrowsAny<ArgumentException>(() => SegmentRecurrentForecaster.Create(14, 7, 7, 8, quantiles: levels));
    }
}
