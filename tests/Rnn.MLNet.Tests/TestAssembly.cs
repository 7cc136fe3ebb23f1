using System.Runtime.CompilerServices;

// Training seeds torch's process-wide random generator (initialisation, dropout), and the memory test reads the
// process's working set: tests that ran in parallel would disturb both. The models are tiny and the machine has two
// shared cores, so running the test classes one after another costs little.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace RnnMl.MLNet.Tests;

internal static class TestAssembly
{
    /// <summary>
    /// One intra-op thread per torch call. test.runsettings sets OMP_NUM_THREADS=1 for `dotnet test` (and the reload
    /// check's child process); this covers runners that ignore it. On two shared, busy cores libtorch's default
    /// OpenMP threads spin and made these tiny models 15-25x slower to train and score.
    /// </summary>
    [ModuleInitializer]
    internal static void UseOneTorchThread() => TorchSharp.torch.set_num_threads(1);
}
