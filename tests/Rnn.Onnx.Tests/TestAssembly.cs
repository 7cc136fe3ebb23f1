using System.Runtime.CompilerServices;

// Test classes run one at a time (tests/TestAssemblySettings.cs); here also because tests seed torch's process-wide
// generator for their weights, and parallel tests would mix the seeds.

namespace RnnMl.Onnx.Tests;

internal static class TestAssembly
{
    /// <summary>One intra-op torch thread: the models are tiny and the two cores are shared (see test.runsettings).</summary>
    [ModuleInitializer]
    internal static void UseOneTorchThread() => TorchSharp.torch.set_num_threads(1);
}
