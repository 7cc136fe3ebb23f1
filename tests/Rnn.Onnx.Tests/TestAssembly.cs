using System.Runtime.CompilerServices;

// Tests seed torch's process-wide generator for their weights; running in parallel would mix the seeds.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace RnnMl.Onnx.Tests;

internal static class TestAssembly
{
    /// <summary>One intra-op torch thread: the models are tiny and the two cores are shared (see test.runsettings).</summary>
    [ModuleInitializer]
    internal static void UseOneTorchThread() => TorchSharp.torch.set_num_threads(1);
}
