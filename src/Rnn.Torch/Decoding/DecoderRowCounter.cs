namespace RnnMl.Torch.Decoding;

/// <summary>
/// Process-wide counts of the rows the greedy and beam decoders have run through the decoder step (a row is one
/// hypothesis for one step): the benchmark reads them before and after a decode to report rows per sentence, a
/// load-independent measure of decoding work. Diagnostics only; thread-safe.
/// </summary>
internal static class DecoderRowCounter
{
    private static long greedy, beam;

    /// <summary>Rows run by <see cref="GreedyDecoder"/> so far.</summary>
    public static long Greedy => Interlocked.Read(ref greedy);

    /// <summary>Rows run by <see cref="BeamSearchDecoder"/> so far.</summary>
    public static long Beam => Interlocked.Read(ref beam);

    /// <summary>Counts <paramref name="rows"/> greedy rows.</summary>
    public static void AddGreedy(int rows) => Interlocked.Add(ref greedy, rows);

    /// <summary>Counts <paramref name="rows"/> beam rows.</summary>
    public static void AddBeam(int rows) => Interlocked.Add(ref beam, rows);
}
