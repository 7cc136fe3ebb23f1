using RnnMl.Torch.Layers;
using RnnMl.Torch.Tests.Support;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Layers;

/// <summary>RowPermutation: the output and the input gradient equal index_select's through autograd, along each dimension.</summary>
public class RowPermutationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void OutputAndGradient_EqualIndexSelect(long dim)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var x = randn(new long[] { 7, 5, 3 }, ScalarType.Float64);
        long size = x.shape[dim];
        var p = randperm(size, ScalarType.Int64);
        var inverse = empty_like(p).index_put_(arange(size, ScalarType.Int64), p);
        var w = randn(x.shape, ScalarType.Float64);

        (Tensor Output, Tensor Grad) Run(Func<Tensor, Tensor> f)
        {
            var xi = x.detach().requires_grad_(true);
            var y = f(xi);
            (y * w).sum().backward();
            return (y.detach(), xi.grad!);
        }

        var expected = Run(xi => xi.index_select(dim, p));
        var actual = Run(xi => RowPermutation.Apply(xi, dim, p, inverse));

        RnnAssert.Equal(expected.Output, actual.Output, "output");
        RnnAssert.Equal(expected.Grad, actual.Grad, "gradient");
        using (no_grad())
            RnnAssert.Equal(expected.Output, RowPermutation.Apply(x, dim, p, inverse), "without autograd");
    }
}
