using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// How <see cref="RecurrentBackend.FusedRagged"/> cuts a ragged batch into kernel calls: the sequences sorted by length
/// (longest first, stable), time cut into a few segments, and each segment run only on the rows still alive at its
/// start (a prefix of the sorted rows) from their carried state. A single segment without an LSTM c replay keeps the
/// caller's order (nothing to sort: every row runs every step).
/// </summary>
/// <remarks>
/// <para>Why: libtorch's fused kernel costs time proportional to rows × steps (9.2 µs per row-step at 64, 48 and 32
/// rows for an LSTM at I=128, H=256, 10–12 µs at 16–8 rows), plus a fixed 0.4–1.2 ms per call forward and backward
/// (about 100–290 row-steps). One call on the whole padded batch pays for every padded step (the valid fraction of
/// lengths U[50,100] is about 0.76); one call per distinct length (37 of them at N=64) pays the call cost 37 times
/// (0.48–0.53 of full-length throughput per valid step).</para>
/// <para>The cut points come from a dynamic programme over the candidates 0 and the distinct lengths that minimises
/// Σ over segments [s, e) of alive(s)·(e − s) + λ + ρ·Σ (l − s) over the rows ending strictly inside (LSTM: their c
/// is replayed from s), alive(s) = rows with length &gt; s, λ = <see cref="CallCostRowSteps"/>, ρ =
/// <see cref="ReplayCostRowSteps"/> (0 for GRU and RNN). The last cut is the longest length. The lead's probe (timing
/// only, 2 threads): 4 segments, 0.904 of full-length throughput per valid step. This implementation, N=64 T=100
/// I=128 H=256, lengths U[50,100] (bench seed), one torch thread, LSTM training, 15 interleaved rounds in one
/// process: 9 segments, 0.79–0.82 of full-length per valid step, where the bare segmented kernel calls (no
/// permutation, layout, replay) reach 0.88–0.89 in the same runs; the per-length split it replaces, 0.52–0.64.</para>
/// </remarks>
internal sealed class RaggedSegments
{
    /// <summary>
    /// λ, the cost of one extra kernel call in row-steps: measured 0.4–1.2 ms forward and backward, about 107–146
    /// row-steps at I=128 H=256, 280 at I=64 H=64, 140–180 at I=300 H=128 (9.2 µs per row-step at I=128 H=256).
    /// 50–200 (with ρ = 3) gave the same throughput within noise at N=64 and lengths U[50,100]; 300 and 1,000 were slower.
    /// </summary>
    public const double CallCostRowSteps = 100;

    /// <summary>
    /// ρ, the cost of one row-step of <see cref="LstmCellReplay"/> in kernel row-steps: measured about 3 (16 µs per
    /// replayed row-step forward against the kernel's 4.7 µs at I=128 H=256, one torch thread: the replay's small
    /// matrix products run far below the kernel's rate). At N=64, lengths U[50,100], λ=100: ρ=0 gives 4 segments and
    /// 1,372 replayed row-steps, ρ=3 gives 9 segments and 124 (0.80 against 0.74 of full-length per valid step).
    /// </summary>
    public const double ReplayCostRowSteps = 3;

    /// <summary>Tests only: replaces <see cref="CallCostRowSteps"/> on this thread (to force many segments on small batches).</summary>
    [ThreadStatic]
    internal static double? CallCostOverride;

    /// <summary>Tests only: replaces <see cref="ReplayCostRowSteps"/> on this thread.</summary>
    [ThreadStatic]
    internal static double? ReplayCostOverride;

    private readonly Device device;
    private readonly int[] insideSegments;       // the segments in which some row ends before the cut
    private readonly long[] insideFlat;          // those rows' last outputs in FlatOutputs(insideSegments)
    private readonly long[] finalPosition;       // sorted row → position in cat(pieces at cuts, rows inside)
    private readonly bool finalInOrder;          // finalPosition is the identity (no last gather needed)
    // LayOut's gather per (reverse, caller order), and its back index, built only once a recorded call needs it.
    private readonly (long[] Rows, Tensor Index, Tensor? Back)?[] layouts = new (long[], Tensor, Tensor?)?[4];
    private Tensor? order, inverse, insideIndex, finalIndex;

    /// <param name="lens">(N) lengths, each ≥ 1, in the caller's order.</param>
    /// <param name="device">Where the permutation indices live.</param>
    /// <param name="replaysCellState">LSTM: rows ending inside a segment cost a replay (<see cref="LstmCellReplay"/>);
    /// GRU and RNN take h from the outputs and replay nothing.</param>
    public RaggedSegments(long[] lens, Device device, bool replaysCellState)
    {
        this.device = device;
        var byLength = Enumerable.Range(0, lens.Length).OrderByDescending(i => lens[i]).Select(i => (long)i).ToArray();
        Cuts = ChooseCuts(lens, CallCostOverride ?? CallCostRowSteps, replaysCellState ? ReplayCostOverride ?? ReplayCostRowSteps : 0);
        // One segment runs every row over every step, so without a replay (whose bookkeeping takes the rows ending at the
        // cut from the call's final state, a prefix of the sorted rows) the rows keep the caller's order: no permutation
        // of the input, the states or the outputs (a length-bucketed batch is mostly one segment).
        bool callerOrder = Cuts.Length == 1 && !replaysCellState;
        Order = callerOrder ? Enumerable.Range(0, lens.Length).Select(i => (long)i).ToArray() : byLength;
        IsSorted = Order.Select((o, i) => o == i).All(same => same);
        SortedLengths = Order.Select(i => lens[i]).ToArray();
        Starts = Cuts.Select((_, k) => k == 0 ? 0 : Cuts[k - 1]).ToArray();
        AliveRows = Starts.Select(s => Alive(SortedLengths, s)).ToArray();
        SegmentOfRow = SortedLengths.Select(l => Array.FindIndex(Cuts, e => e >= l)).ToArray();
        var position = new long[lens.Length];
        long next = 0;
        for (int k = 0; k < Count && !callerOrder; k++)
        {
            long end = Cuts[k], first = Alive(SortedLengths, end), count = SortedLengths.LongCount(l => l == end);
            if (count == 0) continue;
            EndingAtCuts.Add((k, first, count));
            for (long r = first; r < first + count; r++) position[r] = next++;
        }
        // In the caller's order every row takes its final h from its own last output.
        var inside = Enumerable.Range(0, lens.Length).Where(r => callerOrder || Cuts[SegmentOfRow[r]] != SortedLengths[r]).ToArray();
        insideSegments = inside.Select(r => SegmentOfRow[r]).Distinct().Order().ToArray();
        var offsets = FlatOffsets(insideSegments);
        insideFlat = inside.Select(r => offsets[SegmentOfRow[r]] + (SortedLengths[r] - Starts[SegmentOfRow[r]] - 1) * AliveRows[SegmentOfRow[r]] + r).ToArray();
        foreach (var r in inside) position[r] = next++;
        finalPosition = position;
        finalInOrder = position.Select((p, r) => p == r).All(same => same);
    }

    /// <summary>Sorted position → caller's row: lengths in decreasing order, ties in the caller's order; the identity when
    /// one segment runs without a cell-state replay (the rows need no order then).</summary>
    public long[] Order { get; }

    /// <summary>The caller's rows are already in <see cref="Order"/> (no permutation needed).</summary>
    public bool IsSorted { get; }

    /// <summary>The lengths in <see cref="Order"/> (decreasing, unless the caller's order is kept).</summary>
    public long[] SortedLengths { get; }

    /// <summary>The end of each segment, increasing; the last is the longest length.</summary>
    public long[] Cuts { get; }

    /// <summary>The start of each segment (0, then the previous cut).</summary>
    public long[] Starts { get; }

    /// <summary>The rows each segment runs on: those longer than its start, a prefix of the sorted rows.</summary>
    public long[] AliveRows { get; }

    public int Count => Cuts.Length;

    /// <summary>Sorted row → the segment its last step is in.</summary>
    public int[] SegmentOfRow { get; }

    /// <summary>The rows whose length is a cut, per segment: sorted rows [First, First + Count), the last Count of
    /// that call's alive rows that end exactly at its end (their final state is the call's own); empty when the caller's
    /// order is kept (every row's h then comes from its last output).</summary>
    public List<(int Segment, long First, long Count)> EndingAtCuts { get; } = new();

    /// <summary>Each sequence's final h in sorted order (1, N, H): the call's final h where its length is a cut, its
    /// own last output elsewhere. Reads only the calls' own outputs (small: backward adds into them, not into a
    /// gradient of the whole (T, N, H) output).</summary>
    /// <param name="outputs">(T_k, AliveRows[k], H) the output of call k.</param>
    /// <param name="hAfter">(1, AliveRows[k], H) the final h of call k.</param>
    public Tensor FinalH(Tensor[] outputs, Tensor[] hAfter)
    {
        var pieces = EndingAtCuts.Select(p => hAfter[p.Segment][0].narrow(0, p.First, p.Count)).ToList();
        if (insideFlat.Length > 0)
        {
            insideIndex ??= tensor(insideFlat, ScalarType.Int64, device);
            pieces.Add(FlatOutputs(outputs, insideSegments).index_select(0, insideIndex));
        }
        var gathered = pieces.Count == 1 ? pieces[0] : cat(pieces, 0);
        if (finalInOrder) return gathered.unsqueeze(0);
        finalIndex ??= tensor(finalPosition, ScalarType.Int64, device);
        return gathered.index_select(0, finalIndex).unsqueeze(0);
    }

    /// <summary>
    /// The calls' outputs laid out as the slot's output (T, N, H) with one gather: zero at padded steps (also the
    /// steps a call ran past a row's end), each reverse-slot sequence reversed back within its length, the rows in
    /// sorted or in the caller's order.
    /// </summary>
    /// <remarks>One gather from cat(outputs, a zero row) (<see cref="InjectiveRowGather"/>, whose backward is a gather
    /// too) replaces padding each output to N rows, concatenating them, masking the padded steps, reversing and
    /// un-permuting (each a pass over the whole output, and as many again in backward); the gradient reaching each call
    /// is a contiguous slice, as the kernel wants it.</remarks>
    /// <param name="outputs">(T_k, AliveRows[k], H) the output of call k, in the kernel's time order.</param>
    /// <param name="steps">T.</param>
    /// <param name="reverse">The calls ran on each sequence reversed within its own length.</param>
    /// <param name="callerOrder">Rows in the caller's order (the last layer), otherwise in sorted order.</param>
    /// <param name="batch">The batch in run order (its per-sequence reversal and valid-step mask).</param>
    /// <param name="poolingOnly">The caller only reduces each feature over each sequence's valid steps
    /// (<see cref="RecurrentLayer.ForwardOutputsAndH"/>): a single call in the caller's order then returns its output as
    /// the kernel left it (padded steps unspecified, a reverse slot's steps in its own order), with neither the
    /// reversal nor the mask.</param>
    public Tensor LayOut(Tensor[] outputs, long steps, bool reverse, bool callerOrder, RaggedBatch batch, bool poolingOnly = false)
    {
        if (Count == 1 && IsSorted) return LayOutOne(outputs[0], steps, reverse, batch, poolingOnly);
        var first = outputs[0];
        long h = first.shape[2], n = SortedLengths.Length;
        var flat = cat(outputs.Select(o => o.reshape(-1, h)).ToArray(), 0);
        int which = (reverse ? 2 : 0) + (callerOrder && !IsSorted ? 1 : 0);
        if (layouts[which] is null)
        {
            var index = LayoutIndex(steps, reverse, callerOrder && !IsSorted);
            layouts[which] = (index, tensor(index, ScalarType.Int64, device), null);
        }
        var (rows, forward, back) = layouts[which]!.Value;
        if (back is null && InjectiveRowGather.Records(flat))
        {
            back = tensor(InjectiveRowGather.Back(rows, flat.shape[0]), ScalarType.Int64, device);
            layouts[which] = (rows, forward, back);
        }
        return InjectiveRowGather.Apply(flat, forward, back).view(steps, n, h);
    }

    // One call in the caller's order (a length-bucketed batch, mostly): its output is already (T_0, N, H) in row order,
    // so only the reverse slot needs a gather, and the steps past each row's end a mask (an elementwise product, not a
    // concatenation and an index_select of the whole output, forward and backward).
    private static Tensor LayOutOne(Tensor output, long steps, bool reverse, RaggedBatch batch, bool poolingOnly)
    {
        if (output.shape[0] < steps)
            output = cat(new[] { output, zeros(steps - output.shape[0], output.shape[1], output.shape[2], output.dtype, output.device) }, 0);
        if (poolingOnly) return output;
        if (reverse) output = batch.ReverseWithinLengths(output);
        return output * batch.ValidMask(output.dtype);
    }

    private long[] LayoutIndex(long steps, bool reverse, bool callerOrder)
    {
        long n = SortedLengths.Length;
        var offsets = FlatOffsets(Enumerable.Range(0, Count).ToArray());
        long zeroRow = offsets[^1] + (Cuts[^1] - Starts[^1]) * AliveRows[^1];
        var sortedRowOf = new long[n];
        for (long r = 0; r < n; r++) sortedRowOf[callerOrder ? Order[r] : r] = r;
        var segmentAt = new int[Cuts[^1]];
        for (int k = 0; k < Count; k++)
            for (long tau = Starts[k]; tau < Cuts[k]; tau++) segmentAt[tau] = k;
        var index = new long[steps * n];
        for (long t = 0; t < steps; t++)
            for (long j = 0; j < n; j++)
            {
                long r = sortedRowOf[j], l = SortedLengths[r];
                if (t >= l) { index[t * n + j] = zeroRow; continue; }
                long tau = reverse ? l - 1 - t : t;
                int k = segmentAt[tau];
                index[t * n + j] = offsets[k] + (tau - Starts[k]) * AliveRows[k] + r;
            }
        return index;
    }

    /// <summary>The outputs of the calls <paramref name="which"/> (increasing), each (T_k, AliveRows[k], H), as one
    /// (Σ T_k·AliveRows[k], H) tensor: row (k, step u, sorted row r) at <see cref="FlatOffsets"/>[k] + u·AliveRows[k] + r.</summary>
    public static Tensor FlatOutputs(Tensor[] outputs, int[] which)
    {
        var flat = which.Select(k => outputs[k].reshape(-1, outputs[k].shape[2])).ToArray();
        return flat.Length == 1 ? flat[0] : cat(flat, 0);
    }

    /// <summary>Segment → its first row in <see cref="FlatOutputs"/> of <paramref name="which"/>.</summary>
    public long[] FlatOffsets(int[] which)
    {
        var offsets = new long[Count];
        long next = 0;
        foreach (int k in which)
        {
            offsets[k] = next;
            next += (Cuts[k] - Starts[k]) * AliveRows[k];
        }
        return offsets;
    }

    /// <summary>Puts the caller's rows of <paramref name="x"/> in sorted order along <paramref name="dim"/>.</summary>
    public Tensor ToSorted(Tensor x, long dim)
    {
        if (IsSorted) return x;
        var (forward, backward) = Permutations();
        return RowPermutation.Apply(x, dim, forward, backward);
    }

    /// <summary>Puts the sorted rows of <paramref name="x"/> back in the caller's order along <paramref name="dim"/>.</summary>
    public Tensor ToCaller(Tensor x, long dim)
    {
        if (IsSorted) return x;
        var (forward, backward) = Permutations();
        return RowPermutation.Apply(x, dim, backward, forward);
    }

    // Order as a tensor, and its inverse.
    private (Tensor Order, Tensor Inverse) Permutations()
    {
        if (order is null || inverse is null)
        {
            var back = new long[Order.Length];
            for (int i = 0; i < Order.Length; i++) back[Order[i]] = i;
            order = tensor(Order, ScalarType.Int64, device);
            inverse = tensor(back, ScalarType.Int64, device);
        }
        return (order, inverse);
    }

    /// <summary>The number of rows longer than <paramref name="step"/> (alive at it).</summary>
    public static long Alive(long[] lengths, long step) => lengths.LongCount(l => l > step);

    /// <summary>
    /// The segment ends minimising Σ over segments [s, e) of alive(s)·(e − s) + <paramref name="callCost"/> +
    /// <paramref name="replayCost"/>·Σ (l − s) over the rows of length l strictly inside (s, e) (their c is replayed from
    /// s); the candidates are the distinct lengths (and 0 as the first start); the last end is the longest length.
    /// </summary>
    /// <param name="lengths">The lengths, any order, each ≥ 1.</param>
    /// <param name="callCost">λ in row-steps, ≥ 0.</param>
    /// <param name="replayCost">ρ, the cost of one replayed row-step in kernel row-steps, ≥ 0.</param>
    public static long[] ChooseCuts(long[] lengths, double callCost, double replayCost)
    {
        var candidates = new List<long> { 0 };
        candidates.AddRange(lengths.Distinct().Order());
        int m = candidates.Count;
        var alive = candidates.Select(c => Alive(lengths, c)).ToArray();
        // Rows and sum of lengths over candidates 1..k (prefix sums), for the rows strictly between two candidates.
        var rowsUpTo = new double[m];
        var sumUpTo = new double[m];
        for (int k = 1; k < m; k++)
        {
            long count = lengths.LongCount(l => l == candidates[k]);
            rowsUpTo[k] = rowsUpTo[k - 1] + count;
            sumUpTo[k] = sumUpTo[k - 1] + count * (double)candidates[k];
        }
        var best = new double[m];
        var previous = new int[m];
        for (int j = 1; j < m; j++)
        {
            best[j] = double.PositiveInfinity;
            for (int i = 0; i < j; i++)
            {
                double inside = j - 1 > i ? (sumUpTo[j - 1] - sumUpTo[i]) - candidates[i] * (rowsUpTo[j - 1] - rowsUpTo[i]) : 0;
                double cost = best[i] + alive[i] * (double)(candidates[j] - candidates[i]) + callCost + replayCost * inside;
                if (cost < best[j])
                {
                    best[j] = cost;
                    previous[j] = i;
                }
            }
        }
        var cuts = new List<long>();
        for (int j = m - 1; j > 0; j = previous[j]) cuts.Add(candidates[j]);
        cuts.Reverse();
        return cuts.ToArray();
    }
}
