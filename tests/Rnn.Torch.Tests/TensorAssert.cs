using static TorchSharp.torch;

namespace RnnMl.Torch.Tests;

/// <summary>Element-wise comparisons with a message that says where and by how much two tensors differ.</summary>
internal static class TensorAssert
{
    public static void Close(Tensor expected, Tensor actual, double tolerance, string what)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{what}: shape [{string.Join(", ", expected.shape)}] expected, got [{string.Join(", ", actual.shape)}]");
        using var scope = NewDisposeScope();
        var diff = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs();
        double max = diff.numel() == 0 ? 0 : diff.max().item<double>();
        Assert.True(max <= tolerance, $"{what}: max |difference| {max:G3} exceeds {tolerance:G3}");
    }
}
