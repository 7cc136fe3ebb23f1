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
