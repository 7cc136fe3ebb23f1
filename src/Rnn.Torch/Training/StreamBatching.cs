using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>
/// Cuts one long token stream into N contiguous streams read side by side, in chunks of k steps, the batching of
/// truncated BPTT: row n of chunk c continues row n of chunk c − 1, so the state carried between chunks is the right one.
/// </summary>
/// <remarks>
/// With M ids and S = ⌊(M − 1) / N⌋, stream n holds ids[n·S … n·S + S] (inputs n·S … n·S + S − 1, each predicting the next
/// id); the last ≤ N − 1 ids that do not fill a stream are dropped. Chunks have k steps, the last one S mod k if that is
/// not 0.
/// </remarks>
public static class StreamBatching
{
    /// <summary>The number of steps S in each stream.</summary>
    /// <param name="tokenCount">M, the length of the whole stream.</param>
    /// <param name="streams">N, at least 1.</param>
    public static long StepsPerStream(long tokenCount, int streams) => streams < 1 || tokenCount < 2 ? 0 : (tokenCount - 1) / streams;

    /// <summary>The chunks of a stream, created on demand (each chunk's tensors are new; dispose them, or let a dispose scope do it).</summary>
    /// <param name="ids">The whole stream of token ids.</param>
    /// <param name="streams">N, the batch size; at least 1, and at most (M − 1) so that every stream has a step.</param>
    /// <param name="steps">k, steps per chunk; at least 1.</param>
    /// <param name="device">Where to put the tensors; default CPU.</param>
    /// <exception cref="ArgumentException">An argument is out of range, or the stream is too short for <paramref name="streams"/> streams.</exception>
    public static IEnumerable<StreamChunk> Chunks(long[] ids, int streams, int steps, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (streams < 1)
            throw new ArgumentOutOfRangeException(nameof(streams), streams, $"the number of streams must be at least 1, got {streams}");
        if (steps < 1)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps per chunk must be at least 1, got {steps}");
        long s = StepsPerStream(ids.Length, streams);
        if (s < 1)
            throw new ArgumentException($"a stream of {ids.Length} tokens is too short for {streams} streams (it needs at least {streams + 1})", nameof(ids));
        return Iterate(ids, streams, steps, s, device);
    }

    private static IEnumerable<StreamChunk> Iterate(long[] ids, int streams, int steps, long s, Device? device)
    {
        int index = 0;
        for (long start = 0; start < s; start += steps)
        {
            int k = (int)Math.Min(steps, s - start);
            var input = new long[streams * k];
            var target = new long[streams * k];
            for (int n = 0; n < streams; n++)
            {
                long from = n * s + start;
                Array.Copy(ids, from, input, n * k, k);
                Array.Copy(ids, from + 1, target, n * k, k);
            }
            var shape = new long[] { streams, k };
            yield return new StreamChunk(index++, tensor(input, shape, ScalarType.Int64, device), tensor(target, shape, ScalarType.Int64, device));
        }
    }
}
