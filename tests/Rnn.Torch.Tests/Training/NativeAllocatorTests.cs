using System.Globalization;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

/// <summary>NativeAllocator: glibc keeps libtorch's large freed blocks, so a step's tensors do not page-fault in again.</summary>
public sealed class NativeAllocatorTests
{
    // 24 MB: with glibc's defaults a block this size is mmapped on every allocation (the automatic mmap threshold rises
    // to a freed block's size, and a request of the same size is still at the threshold), so its 6,144 pages fault in
    // on every first touch; below a thread arena's heap (64 MB), so tuned it comes from the heap.
    private const long Floats = 6L << 20;
    private const long Pages = Floats * 4 / 4096;

    [Fact]
    public void Tune_OnGlibc_FreedBlocksAreReusedWithoutPageFaults()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null)
            return; // glibc's settings are only ours to choose on Linux without the user's own malloc variables.
        Assert.True(NativeAllocator.Tune());
        Assert.True(NativeAllocator.IsTuned);
        Assert.True(NativeAllocator.Tune()); // once per process; later calls report the first outcome

        using var one = 1.0f.ToScalar();
        AllocateAndTouch(one); // the heap grows once
        // Page faults are counted for the whole process (other tests run in parallel), so take the quietest of three.
        long fewest = long.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            long before = MinorFaults();
            AllocateAndTouch(one);
            fewest = Math.Min(fewest, MinorFaults() - before);
        }
        Assert.True(fewest < Pages / 4, $"touching a reused 24 MB block cost {fewest} page faults (a fresh block costs about {Pages})");
    }

    [Fact]
    public void Fit_ByDefault_TunesTheAllocator()
    {
        long before = NativeAllocator.Requests;
        var task = new RegressionTask(batchSize: 2);
        Trainer.Create(new TrainerOptions { Epochs = 1, LearningRate = 0.05 }).Fit(task);
        Assert.True(NativeAllocator.Requests > before);
        Assert.True(new TrainerOptions().TuneNativeAllocator);
    }

    [Theory]
    [InlineData(24L << 30, int.MaxValue)]        // this machine: an eighth is 3 GiB, above what mallopt takes
    [InlineData(16L << 30, int.MaxValue)]        // 2 GiB is one more than int.MaxValue
    [InlineData(8L << 30, 1 << 30)]
    [InlineData(4L << 30, 512 << 20)]
    [InlineData(1L << 30, 256 << 20)]            // an eighth would be 128 MB: the 256 MB floor
    [InlineData(0L, 256 << 20)]
    public void ThresholdFor_IsAnEighthOfMemory_Within256MbAndIntMax(long available, int expected)
        => Assert.Equal(expected, NativeAllocator.ThresholdFor(available));

    [Fact]
    public void Thresholds_FollowThisMachinesMemory()
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        Assert.Equal(NativeAllocator.ThresholdFor(available), NativeAllocator.ThresholdBytes);
        Assert.Equal(NativeAllocator.ThresholdBytes, NativeAllocator.MmapThresholdBytes);
        Assert.Equal(NativeAllocator.ThresholdBytes, NativeAllocator.TrimThresholdBytes);
    }

    [Fact]
    public void WorkerThreadAdvice_OnAWorkerThread_NamesTheEnvironmentVariable()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
            return; // the advice is for glibc processes started without an arena count
        string? advice = null;
        var thread = new Thread(() => advice = NativeAllocator.WorkerThreadAdvice());
        thread.Start();
        thread.Join();
        Assert.NotNull(advice);
        Assert.Contains("MALLOC_ARENA_MAX=1", advice);
        Assert.Contains($"process {Environment.ProcessId}", advice);
    }

    [Fact]
    public void Fit_OnAWorkerThread_ReportsTheAdviceFirst()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null
            || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null)
            return;
        var reports = new List<TrainingProgress>();
        var progress = new Recorder(reports);
        Trainer.Create(new TrainerOptions { Epochs = 1, LearningRate = 0.05 }).Fit(new RegressionTask(batchSize: 2), progress);
        Assert.NotEmpty(reports);
        Assert.Contains("MALLOC_ARENA_MAX=1", reports[0].Message);
        Assert.Equal((0, 0), (reports[0].Epoch, reports[0].Batch));
        Assert.Single(reports, r => r.Message?.Contains("MALLOC_ARENA_MAX") == true);

        reports.Clear();
        Trainer.Create(new TrainerOptions { Epochs = 1, LearningRate = 0.05, TuneNativeAllocator = false }).Fit(new RegressionTask(batchSize: 2), progress);
        Assert.DoesNotContain(reports, r => r.Message?.Contains("MALLOC_ARENA_MAX") == true);
    }

    private sealed class Recorder(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }

    private static void AllocateAndTouch(Scalar value)
    {
        using var scope = NewDisposeScope();
        using var block = empty(Floats, ScalarType.Float32);
        block.fill_(value);
    }

    // Field 10 of /proc/self/stat (minflt), counted after the ')' that closes the command name.
    private static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }
}
