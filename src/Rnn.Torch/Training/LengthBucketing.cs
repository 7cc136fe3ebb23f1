namespace RnnMl.Torch.Training;

/// <summary>
/// Batches of example indices for variable-length data: examples of similar length go together, so little of a
/// padded batch is padding, while the order stays random from epoch to epoch.
/// </summary>
public static class LengthBucketing
{
    /// <summary>
    /// Shuffles the indices, cuts them into pools of <paramref name="poolBatches"/> batches, sorts each pool by length,
    /// cuts the pools into batches of <paramref name="batchSize"/> and shuffles the order of the batches.
    /// </summary>
    /// <param name="lengths">The length of every example; index i is example i.</param>
    /// <param name="batchSize">The largest batch; at least 1. Only the last batch of a pool may be smaller.</param>
    /// <param name="random">The only source of randomness: the same state gives the same batches.</param>
    /// <param name="poolBatches">How many batches a pool spans; at least 1. Larger pools give tighter lengths, smaller ones more randomness. Default 50.</param>
    /// <returns>Every index exactly once.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> or <paramref name="poolBatches"/> is below 1.</exception>
    public static IReadOnlyList<int[]> Batches(IReadOnlyList<int> lengths, int batchSize, Random random, int poolBatches = 50)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        ArgumentNullException.ThrowIfNull(random);
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch size must be at least 1, got {batchSize}");
        if (poolBatches < 1)
            throw new ArgumentOutOfRangeException(nameof(poolBatches), poolBatches, $"pool batches must be at least 1, got {poolBatches}");

        var order = Enumerable.Range(0, lengths.Count).ToArray();
        Shuffle(order, random);
        long poolSizeLong = (long)batchSize * poolBatches;
        int poolSize = (int)Math.Min(poolSizeLong, Math.Max(1, order.Length));
        var batches = new List<int[]>((order.Length + batchSize - 1) / batchSize);
        for (int start = 0; start < order.Length; start += poolSize)
        {
            int count = Math.Min(poolSize, order.Length - start);
            // OrderBy is stable, so equal lengths keep their shuffled order and the result depends on random alone.
            var pool = order.Skip(start).Take(count).OrderBy(i => lengths[i]).ToArray();
            for (int b = 0; b < pool.Length; b += batchSize)
                batches.Add(pool[b..Math.Min(b + batchSize, pool.Length)]);
        }
        var shuffled = batches.ToArray();
        Shuffle(shuffled, random);
        return shuffled;
    }

    /// <summary>Consecutive batches 0…batchSize−1, batchSize…, unshuffled: for validation and inference.</summary>
    /// <param name="count">The number of examples; at least 0.</param>
    /// <param name="batchSize">The largest batch; at least 1. Only the last batch may be smaller.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or <paramref name="batchSize"/> is below 1.</exception>
    public static IReadOnlyList<int[]> InOrder(int count, int batchSize)
    {
        if (count < 0)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be at least 0, got {count}");
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch size must be at least 1, got {batchSize}");
        var batches = new List<int[]>((count + batchSize - 1) / batchSize);
        for (int start = 0; start < count; start += batchSize)
            batches.Add(Enumerable.Range(start, Math.Min(batchSize, count - start)).ToArray());
        return batches;
    }

    // Fisher–Yates written out rather than Random.Shuffle, so the sequence of draws is fixed by this code and not by
    // the runtime's implementation.
    private static void Shuffle<T>(T[] items, Random random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
