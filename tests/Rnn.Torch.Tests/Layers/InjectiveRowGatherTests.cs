using RnnMl.Torch.Layers;
using RnnMl.Torch.Tests.Support;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Layers;

/// <summary>InjectiveRowGather: output and source gradient equal index_select's through autograd on [src; 0], with rows
/// taken once, rows never taken and zero rows; a row taken twice is refused.</summary>
public class InjectiveRowGatherTests
{
    [Fact]
    public void OutputAndGradient_EqualIndexSelectOnSourceAndZeroRow()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        const long R = 7, F = 3;
        // Rows 1 and 5 never taken; the zero row (7) three times; the order scrambled.
        long[] index = { 3, 7, 0, 6, 7, 2, 4, 7 };
        var src = randn(new long[] { R, F }, ScalarType.Float64);
        var w = randn(new long[] { index.Length, F }, ScalarType.Float64);
        var indexTensor = tensor(index);
        var back = tensor(InjectiveRowGather.Back(index, R));

        (Tensor Output, Tensor Grad) Run(Func<Tensor, Tensor> f)
        {
            var s = src.detach().requires_grad_(true);
            var y = f(s);
            (y * w).sum().backward();
            return (y.detach(), s.grad!);
        }

        var expected = Run(s => cat(new[] { s, zeros(1, F, ScalarType.Float64) }, 0).index_select(0, indexTensor));
        var actual = Run(s => InjectiveRowGather.Apply(s, indexTensor, back));

        RnnAssert.Equal(expected.Output, actual.Output, "output");
        RnnAssert.Equal(expected.Grad, actual.Grad, "gradient");
        Assert.Equal(0.0, actual.Grad[1].abs().sum().item<double>());
        using (no_grad())
        {
            RnnAssert.Equal(expected.Output, InjectiveRowGather.Apply(src, indexTensor, back), "without autograd");
            // Unrecorded, the back index is not read (inference skips building it).
            RnnAssert.Equal(expected.Output, InjectiveRowGather.Apply(src.requires_grad_(true), indexTensor, null), "without autograd or back index");
        }
        Assert.False(InjectiveRowGather.Records(src.detach()));
        Assert.True(InjectiveRowGather.Records(src.detach().requires_grad_(true)));
        var e = Assert.Throws<ArgumentNullException>(() => InjectiveRowGather.Apply(src.detach().requires_grad_(true), indexTensor, null));
        Assert.Contains("recorded for autograd", e.Message);
    }

    [Fact]
    public void Back_RowTakenTwice_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => InjectiveRowGather.Back(new long[] { 2, 0, 2 }, 3));
        Assert.Contains("source row 2 is taken twice", e.Message);
    }
}
