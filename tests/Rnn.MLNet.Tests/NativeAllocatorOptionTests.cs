using Microsoft.ML;
using RnnMl.MLNet.Classification;
using RnnMl.Torch.Training;

namespace RnnMl.MLNet.Tests;

/// <summary>RecurrentTrainingOptions.TuneNativeAllocator reaches the trainer; training on a worker thread logs glibc's advice.</summary>
public sealed class NativeAllocatorOptionTests
{
    [Fact]
    public void TuneNativeAllocator_DefaultTrue_ReachesTheTrainerOptions()
    {
        var options = Tiny.Options(epochs: 1);
        Assert.True(options.TuneNativeAllocator);
        Assert.True(options.TrainerOptions(1, 100).TuneNativeAllocator);
        options.TuneNativeAllocator = false;
        Assert.False(options.TrainerOptions(1, 100).TuneNativeAllocator);
    }

    [Fact]
    public void Fit_OnAWorkerThread_WarnsWithTheArenaAdviceInTheLog()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null
            || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null)
            return; // the advice is for glibc processes started without malloc settings of their own
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(Tiny.Options(epochs: 1)).Fit(ml.Data.LoadFromEnumerable(ToyData.Binary(16, 1)));
        lock (log) Assert.Single(log, m => m.Contains("Warning") && m.Contains("MALLOC_ARENA_MAX=1"));

        var quiet = Tiny.Options(epochs: 1);
        quiet.TuneNativeAllocator = false;
        log.Clear();
        using var again = ml.BinaryClassification.Trainers.RecurrentTextClassifier(quiet).Fit(ml.Data.LoadFromEnumerable(ToyData.Binary(16, 1)));
        lock (log) Assert.DoesNotContain(log, m => m.Contains("MALLOC_ARENA_MAX"));
    }
}
