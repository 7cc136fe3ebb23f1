using System.Runtime.CompilerServices;

// Test classes run one at a time (tests/TestAssemblySettings.cs); here also because training seeds torch's process-wide
// random generator (initialisation, dropout) and the memory test reads the process's working set.

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
