using System.Diagnostics;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Layers;

/// <summary>Runs alone (no other test in parallel), so that the process's memory belongs to it.</summary>
[CollectionDefinition(nameof(MemoryCollection), DisableParallelization = true)]
public class MemoryCollection
{
}

/// <summary>
/// Long training loops must not leak: every tensor a step creates is released when the step's dispose scope ends.
/// Live tensors are counted with TorchSharp's per-thread statistics
/// (<see cref="DisposeScopeManager.Statistics"/>.ThreadTotalLiveCount), which is exact; the resident set size is
/// also checked, loosely, to catch native memory held without a managed handle (e.g. an autograd graph kept alive).
/// </summary>
[Collection(nameof(MemoryCollection))]
public sealed class RecurrentLayerMemoryTests : IDisposable
{
    private const int I = 4, H = 8, L = 2, T = 8, N = 4, Steps = 200, Warmup = 50;

    private readonly int threads;

    // These tensors are tiny, and on a busy machine libtorch's worker threads only spin: one thread makes the 200-step
    // loops several times faster. The collection runs alone, so changing the process-wide setting affects no other test.
    public RecurrentLayerMemoryTests()
    {
        threads = get_num_threads();
        set_num_threads(1);
    }

    public void Dispose() => set_num_threads(threads);

    private static long LiveTensors => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    [Theory]
    [InlineData(RecurrentBackend.Composed)]
    [InlineData(RecurrentBackend.Fused)]
    [InlineData(RecurrentBackend.FusedRagged)]
    [InlineData(RecurrentBackend.ComposedGemm)]
    public void Training200StepsWithLengths_LiveTensorCountAndMemoryStayFlat(RecurrentBackend backend)
    {
        manual_seed(41);
        using var layer = Lstm.Create(I, H, L, bidirectional: true, backend: backend);
        var optimizer = optim.Adam(layer.parameters(), 1e-3);
        var lengthValues = Enumerable.Range(0, N).Select(n => (long)(T - n % 7)).ToArray();
        long liveAtWarmup = 0, residentAtWarmup = 0;
        var losses = new List<double>();

        for (int step = 1; step <= Steps; step++)
        {
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();
                var x = randn(T, N, I);
                var lengths = tensor(lengthValues);
                var (output, final) = layer.forward(x, null, lengths);
                var loss = output.pow(2).mean() + final.H.pow(2).mean() + final.C!.pow(2).mean();
                loss.backward();
                GradientClipping.ClipGlobalNorm(layer.parameters(), 1.0);
                optimizer.step();
                losses.Add(loss.item<float>());
            }
            if (step == Warmup)
            {
                liveAtWarmup = LiveTensors;
                residentAtWarmup = ResidentBytes();
            }
        }
        long liveAtEnd = LiveTensors;
        long residentAtEnd = ResidentBytes();

        Assert.True(liveAtEnd <= liveAtWarmup, $"live tensors grew from {liveAtWarmup} at step {Warmup} to {liveAtEnd} at step {Steps}");
        Assert.True(residentAtEnd <= residentAtWarmup * 1.10,
            $"resident memory grew from {residentAtWarmup / 1e6:F1} MB at step {Warmup} to {residentAtEnd / 1e6:F1} MB at step {Steps}");
        // The loop really trained: the loss (pushing outputs to 0) went down.
        Assert.True(losses.Skip(Steps - 10).Average() < losses.Take(10).Average());
    }

    [Theory]
    [InlineData(RecurrentBackend.Fused, 16)]
    [InlineData(RecurrentBackend.Fused, 24)]
    [InlineData(RecurrentBackend.FusedRagged, 16)]
    [InlineData(RecurrentBackend.FusedRagged, 24)]
    public void LstmInferenceWithAndWithoutLengths_LiveTensorCountStaysFlat(RecurrentBackend backend, int hidden)
    {
        // Hidden 16 takes the guard's packed route around libtorch's faulty inference kernel, 24 the kernel itself.
        manual_seed(43);
        using var layer = Lstm.Create(I, hidden, 2, bidirectional: true, batchFirst: true, backend: backend);
        layer.eval();
        var x = randn(N, 7, I);
        var lengths = tensor(Enumerable.Range(0, N).Select(i => (long)(1 + i % 7)).ToArray());
        long liveAtWarmup = 0;
        for (int step = 1; step <= 20; step++)
        {
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                layer.forward(x, lengths: lengths);
                layer.forward(x);
            }
            if (step == 5) liveAtWarmup = LiveTensors;
        }
        Assert.True(LiveTensors <= liveAtWarmup, $"live tensors grew from {liveAtWarmup} at step 5 to {LiveTensors} at step 20");
    }

    [Theory]
    [InlineData(RecurrentBackend.Composed)]
    [InlineData(RecurrentBackend.Fused)]
    public void TruncatedBptt200Chunks_LiveTensorCountStaysFlat(RecurrentBackend backend)
    {
        manual_seed(42);
        using var layer = Gru.Create(I, H, L, backend: backend);
        var optimizer = optim.SGD(layer.parameters(), 1e-3);
        using var tbptt = TruncatedBptt.Create(layer, 5);
        long liveAtWarmup = 0;

        for (int step = 1; step <= Steps; step++)
        {
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();
                var output = tbptt.Step(randn(5, N, I));
                output.pow(2).mean().backward();
                optimizer.step();
            }
            if (step == Warmup) liveAtWarmup = LiveTensors;
        }

        Assert.NotNull(tbptt.State);
        Assert.True(LiveTensors <= liveAtWarmup, $"live tensors grew from {liveAtWarmup} at step {Warmup} to {LiveTensors} at step {Steps}");
    }

    [Theory]
    [InlineData(RecurrentBackend.Composed)]
    [InlineData(RecurrentBackend.Fused)]
    public void Dispose_CalledTwice_DoesNotThrow(RecurrentBackend backend)
    {
        var layer = Lstm.Create(I, H, L, bidirectional: true, backend: backend);
        using (var scope = NewDisposeScope()) layer.forward(randn(T, N, I));

        layer.Dispose();
        var second = Record.Exception(() => layer.Dispose());

        Assert.Null(second);
    }
}
