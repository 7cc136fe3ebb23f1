using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Support;

/// <summary>
/// Runs a test class with one libtorch intra-op thread and restores the setting afterwards. The models in these tests are
/// tiny, and on two shared, busy cores libtorch's worker threads only spin (a training test took 15 s instead of 1 s).
/// Use it only in classes of a collection that runs alone, since the setting is process-wide.
/// </summary>
public abstract class OneTorchThread : IDisposable
{
    private readonly int threads;

    protected OneTorchThread()
    {
        threads = get_num_threads();
        set_num_threads(1);
    }

    public void Dispose()
    {
        set_num_threads(threads);
        GC.SuppressFinalize(this);
    }
}
