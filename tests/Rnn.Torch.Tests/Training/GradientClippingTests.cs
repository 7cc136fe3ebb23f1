using RnnMl.Torch.Layers;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

/// <summary><see cref="GradientClipping.ClipGlobalNorm"/>: the norm it reports, the scaling, the bounds on maxNorm.</summary>
public class GradientClippingTests
{
    /// <summary>Parameters of several shapes whose gradients are exactly <paramref name="grads"/> (set through backward).</summary>
    private static List<Parameter> ParametersWithGradients(params Tensor[] grads)
    {
        var parameters = grads.Select(g => new Parameter(randn(g.shape))).ToList();
        var loss = parameters.Zip(grads, (p, g) => (p * g).sum()).Aggregate((a, b) => a + b);
        loss.backward();
        return parameters;
    }

    private static Tensor[] RandomGradients(double scale) => new[]
    {
        randn(4, 3) * scale, randn(7) * scale, randn(2, 3, 5) * scale,
    };

    /// <summary>√(Σ g²) over all elements, computed in C# from the raw values.</summary>
    private static double IndependentNorm(IEnumerable<Tensor> grads)
    {
        double sum = 0;
        foreach (var g in grads)
            foreach (var v in g.contiguous().data<float>().ToArray()) sum += (double)v * v;
        return Math.Sqrt(sum);
    }

    private static double Cosine(Tensor a, Tensor b)
    {
        var x = a.contiguous().data<float>().ToArray();
        var y = b.contiguous().data<float>().ToArray();
        double dot = 0, xx = 0, yy = 0;
        for (int i = 0; i < x.Length; i++) { dot += (double)x[i] * y[i]; xx += (double)x[i] * x[i]; yy += (double)y[i] * y[i]; }
        return dot / Math.Sqrt(xx * yy);
    }

    [Fact]
    public void ClipGlobalNorm_ReturnsNormOfAllGradientsTogether()
    {
        using var scope = NewDisposeScope();
        manual_seed(31);
        var grads = RandomGradients(1.0);
        var parameters = ParametersWithGradients(grads);
        double expected = IndependentNorm(grads);

        double norm = GradientClipping.ClipGlobalNorm(parameters, 1e9);

        Assert.Equal(expected, norm, expected * 1e-6);
    }

    [Fact]
    public void ClipGlobalNorm_NormAboveMax_ScalesToMaxNormKeepingEveryDirection()
    {
        using var scope = NewDisposeScope();
        manual_seed(32);
        var grads = RandomGradients(10.0);
        var parameters = ParametersWithGradients(grads);
        double before = IndependentNorm(grads);
        const double maxNorm = 2.5;
        Assert.True(before > 4 * maxNorm, "the premise: the gradients must start well above maxNorm");

        double returned = GradientClipping.ClipGlobalNorm(parameters, maxNorm);

        Assert.Equal(before, returned, before * 1e-6);
        double after = IndependentNorm(parameters.Select(p => p.grad!));
        Assert.True(Math.Abs(after - maxNorm) <= 1e-4 * maxNorm, $"norm after clipping {after}, expected {maxNorm}");
        for (int i = 0; i < grads.Length; i++)
        {
            Assert.Equal(1.0, Cosine(grads[i], parameters[i].grad!), 1e-6);
            // All gradients are scaled by the same factor: each one's norm shrinks by maxNorm / before.
            double ratio = IndependentNorm(new[] { parameters[i].grad! }) / IndependentNorm(new[] { grads[i] });
            Assert.Equal(maxNorm / before, ratio, 1e-5);
        }
    }

    [Fact]
    public void ClipGlobalNorm_NormBelowMax_LeavesGradientsUnchanged()
    {
        using var scope = NewDisposeScope();
        manual_seed(33);
        var grads = RandomGradients(0.01);
        var parameters = ParametersWithGradients(grads);
        double before = IndependentNorm(grads);
        Assert.True(before < 1.0);

        double returned = GradientClipping.ClipGlobalNorm(parameters, 1.0);

        Assert.Equal(before, returned, before * 1e-6);
        for (int i = 0; i < grads.Length; i++) RnnAssert.Equal(grads[i], parameters[i].grad!, $"gradient {i}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void ClipGlobalNorm_MaxNormNotPositiveAndFinite_ThrowsOutOfRangeNamingMaxNorm(double maxNorm)
    {
        using var scope = NewDisposeScope();
        var parameters = ParametersWithGradients(randn(3));
        var before = parameters[0].grad!.clone();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipGlobalNorm(parameters, maxNorm));

        Assert.Equal("maxNorm", ex.ParamName);
        Assert.Equal(maxNorm, (double)ex.ActualValue!);
        RnnAssert.Equal(before, parameters[0].grad!, "gradient after the rejected call");
    }

    [Fact]
    public void ClipGlobalNorm_ParametersWithoutGradients_AreSkipped()
    {
        using var scope = NewDisposeScope();
        manual_seed(34);
        var grads = RandomGradients(10.0);
        var withGrads = ParametersWithGradients(grads);
        var withoutGrad = new Parameter(randn(5, 5));
        Assert.Null(withoutGrad.grad);
        var all = withGrads.Take(1).Append(withoutGrad).Concat(withGrads.Skip(1)).ToList();

        double returned = GradientClipping.ClipGlobalNorm(all, 1.0);

        Assert.Equal(IndependentNorm(grads), returned, IndependentNorm(grads) * 1e-6);
        Assert.Null(withoutGrad.grad);
        Assert.Equal(1.0, IndependentNorm(withGrads.Select(p => p.grad!)), 1e-4);
    }

    [Fact]
    public void ClipGlobalNorm_NoGradientsAtAll_ReturnsZero()
    {
        using var scope = NewDisposeScope();
        var parameters = new[] { new Parameter(randn(3)), new Parameter(randn(2, 2)) };

        Assert.Equal(0.0, GradientClipping.ClipGlobalNorm(parameters, 1.0));
    }

    [Fact]
    public void ClipGlobalNorm_LayerGradients_ClipsAllParametersOfTheLayer()
    {
        using var scope = NewDisposeScope();
        manual_seed(35);
        using var layer = Lstm.Create(3, 4, numLayers: 2, bidirectional: true, backend: RecurrentBackend.Composed);
        var (output, _) = layer.forward(randn(6, 2, 3));
        (output.pow(2).sum() * 1000).backward();
        var parameters = layer.parameters().ToList();
        double before = IndependentNorm(parameters.Select(p => p.grad!));
        Assert.True(before > 1.0);

        double returned = GradientClipping.ClipGlobalNorm(parameters, 1.0);

        Assert.Equal(before, returned, before * 1e-5);
        Assert.Equal(1.0, IndependentNorm(parameters.Select(p => p.grad!)), 1e-4);
    }
}
