using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

/// <summary><see cref="StreamBatching"/>: N contiguous streams side by side, chunks of k, targets shifted by one.</summary>
public class StreamBatchingTests
{
    [Fact]
    public void Chunks_TwoStreamsOfSevenSteps_ContinueEachOtherAndShiftTargets()
    {
        var ids = Enumerable.Range(0, 16).Select(i => (long)i).ToArray(); // M = 16, N = 2: S = 7, id 15 dropped

        var chunks = StreamBatching.Chunks(ids, streams: 2, steps: 3).ToList();

        Assert.Equal(new[] { 0, 1, 2 }, chunks.Select(c => c.Index));
        Assert.Equal(new long[] { 0, 1, 2, 7, 8, 9 }, chunks[0].Input.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 2, 3, 8, 9, 10 }, chunks[0].Target.data<long>().ToArray());
        Assert.Equal(new long[] { 3, 4, 5, 10, 11, 12 }, chunks[1].Input.data<long>().ToArray());
        // The short last chunk: S mod k = 1 step.
        Assert.Equal(new long[] { 2, 1 }, chunks[2].Input.shape);
        Assert.Equal(new long[] { 6, 13 }, chunks[2].Input.data<long>().ToArray());
        Assert.Equal(new long[] { 7, 14 }, chunks[2].Target.data<long>().ToArray());
        foreach (var c in chunks) { c.Input.Dispose(); c.Target.Dispose(); }
    }

    [Fact]
    public void Chunks_BadArguments_NameParameterAndValue()
    {
        var ids = new long[] { 2, 3, 4, 5, 6, 7 };
        RnnAssert.Throws("streams", () => StreamBatching.Chunks(ids, 0, 3), "0");
        RnnAssert.Throws("steps", () => StreamBatching.Chunks(ids, 1, 0), "0");
        RnnAssert.Throws("ids", () => StreamBatching.Chunks(ids, 7, 3), "6", "7");
    }
}
