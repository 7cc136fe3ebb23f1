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
/// <para>Size: both thresholds are <see cref="ThresholdBytes"/>, an eighth of the memory .NET reports available
/// (container limits included), at least 256 MB and at most <see cref="int.MaxValue"/> bytes (mallopt takes an int). A
/// fixed 256 MB was too small for long sequences, whose backward needs blocks of several hundred MB: one-layer LSTM
/// training, I=128 H=256 N=64, main thread, thresholds given as environment variables, same quarter hour: T=100 58.5 ms
/// at 256 MB and 51.6 ms at 2 GB; T=400 1,351.6 ms (117,744 page faults per step) at 256 MB, 807.6 ms at 512 MB,
/// 202.9 ms at 1 GB and 209.1 ms at 2 GB (72 faults).</para>
/// <para>Cost: memory freed by libtorch stays with the process (up to <see cref="TrimThresholdBytes"/> above the heap's
/// live part) until it is reused or the process ends, so the resident size stays near its peak after training.</para>
/// <para>Worker threads: glibc gives each thread that allocates its own arena, and a secondary arena's heaps are capped
/// at 64 MB, so there every larger block is still mapped and unmapped, whatever the thresholds (T=100 above: 320.7 ms on
/// a new thread against 56.8 ms on the main thread; 66 ms with MALLOC_ARENA_MAX=1). Only an environment variable set
/// before the process starts puts every thread on the main arena; <see cref="WorkerThreadAdvice"/> says so when it
/// applies, and the trainers report it.</para>
/// <para>The settings are process-wide and apply to allocations made after the call. <see cref="Tune"/> does nothing
/// when the process does not run on glibc (Windows, macOS, musl) or when the user has chosen malloc settings through
/// the MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ or GLIBC_TUNABLES environment variables.
/// <see cref="Training.Trainer"/> calls it when training starts unless
/// <see cref="Training.TrainerOptions.TuneNativeAllocator"/> is false. Guarded by <c>NativeAllocatorTests</c> (a freed
/// 24 MB tensor's pages are reused without page faults: 0 tuned, 6,144 with glibc's defaults; the size rule by hand;
/// the worker-thread advice).</para>
/// </remarks>
/// <example>
/// <code>
/// // Before inference-only work in a long-running process (training calls it by itself):
/// bool tuned = NativeAllocator.Tune();
/// </code>
/// </example>
public static class NativeAllocator
{
    private const int MinimumThresholdBytes = 256 << 20;

    /// <summary>The size both thresholds are set to on this machine: an eighth of the memory available to the process,
    /// within [256 MB, <see cref="int.MaxValue"/>] bytes.</summary>
    public static int ThresholdBytes { get; } = ThresholdFor(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

    /// <summary>The mmap threshold set: blocks up to this size come from the heap and are reused (<see cref="ThresholdBytes"/>).</summary>
    public static int MmapThresholdBytes => ThresholdBytes;

    /// <summary>The trim threshold set: free memory at the heap's top up to this size stays with the process (<see cref="ThresholdBytes"/>).</summary>
    public static int TrimThresholdBytes => ThresholdBytes;

    // glibc's mallopt parameter numbers (malloc.h).
    private const int MTrimThreshold = -1, MMmapThreshold = -3;

    private static readonly object Gate = new();
    private static bool attempted;
    private static long requests;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MalloptFunction(int parameter, int value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int GettidFunction();

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
            if (!TryGetLibcExport("mallopt", out var address))
                return false;
            var mallopt = Marshal.GetDelegateForFunctionPointer<MalloptFunction>(address);
            // mallopt returns 1 on success, 0 when glibc refuses the value.
            IsTuned = mallopt(MMmapThreshold, MmapThresholdBytes) == 1 && mallopt(MTrimThreshold, TrimThresholdBytes) == 1;
            return IsTuned;
        }
    }

    /// <summary>
    /// Advice for training on the calling thread, or null when there is none: on glibc, a thread other than the
    /// process's main thread allocates from its own arena, whose 64 MB heaps make every larger libtorch block a fresh
    /// mapping (training several times slower), unless MALLOC_ARENA_MAX or GLIBC_TUNABLES' arena_max was set when the
    /// process started.
    /// </summary>
    /// <returns>A sentence to log, or null on the main thread, off glibc, or when the user chose the arena count.</returns>
    public static string? WorkerThreadAdvice()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null
            || Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("arena_max", StringComparison.Ordinal) == true)
            return null;
        if (!TryGetLibcExport("gettid", out var address))
            return null;
        int thread = Marshal.GetDelegateForFunctionPointer<GettidFunction>(address)();
        if (thread == Environment.ProcessId) return null;
        return $"training runs on a worker thread (thread {thread} of process {Environment.ProcessId}): glibc serves it from "
            + "a secondary malloc arena whose heaps are capped at 64 MB, so libtorch's larger tensors are mapped and page-faulted "
            + "in again at every step (a one-layer LSTM, hidden 256, trained 5.6x slower than on the main thread). Start the "
            + "process with the environment variable MALLOC_ARENA_MAX=1, or call Fit from the main thread.";
    }

    /// <summary>
    /// What training does first: <see cref="Tune"/>, then, once the thresholds are set, <see cref="WorkerThreadAdvice"/>
    /// for the calling thread (the one rule <see cref="Training.Trainer.Fit"/> and the ML.NET trainers share).
    /// </summary>
    /// <returns>The advice to report, or null when there is none or the thresholds are not ours to set.</returns>
    public static string? TuneForTraining() => Tune() ? WorkerThreadAdvice() : null;

    /// <summary>The address of <paramref name="name"/> in glibc, when the process runs on it.</summary>
    private static bool TryGetLibcExport(string name, out IntPtr address)
    {
        address = IntPtr.Zero;
        return NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, name, out address);
    }

    /// <summary>Both thresholds for <paramref name="availableBytes"/> of memory: an eighth of it, within [256 MB, int.MaxValue].</summary>
    internal static int ThresholdFor(long availableBytes)
        => (int)Math.Clamp(availableBytes / 8, MinimumThresholdBytes, int.MaxValue);

    private static bool UserChoseSettings()
        => Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
           || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null
           || Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("malloc", StringComparison.Ordinal) == true;
}
