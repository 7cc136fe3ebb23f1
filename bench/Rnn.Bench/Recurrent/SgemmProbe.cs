using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Bench;

/// <summary>A 2048×2048 float32 matrix product (torch.mm): the machine's dense-GEMM reference throughput.</summary>
internal sealed class SgemmProbe : IDisposable
{
    public const int Size = 2048;

    private readonly Tensor a;
    private readonly Tensor b;

    public SgemmProbe()
    {
        torch.manual_seed(ContenderSet.Seed);
        a = torch.randn(Size, Size, ScalarType.Float32);
        b = torch.randn(Size, Size, ScalarType.Float32);
    }

    /// <summary>2·2048³.</summary>
    public static double Flops => 2.0 * Size * Size * Size;

    /// <summary>One product; the result goes to the caller's dispose scope.</summary>
    public void Multiply() => torch.mm(a, b);

    public void Dispose()
    {
        a.Dispose();
        b.Dispose();
    }
}
