namespace RnnMl.MLNet.Tests;

/// <summary>A fact about behaviour without a GPU: skipped, saying so, on a machine where libtorch sees CUDA.</summary>
public sealed class CpuOnlyFactAttribute : FactAttribute
{
    public CpuOnlyFactAttribute()
    {
        if (TorchSharp.torch.cuda.is_available())
            Skip = "libtorch sees a CUDA device here; this test is about a machine without one";
    }
}
