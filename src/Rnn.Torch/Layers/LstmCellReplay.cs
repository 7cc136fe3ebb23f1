using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// The exact final cell state c of every row of a segmented ragged LSTM slot (<see cref="RaggedSegments"/>): libtorch's
/// kernel returns c only at the end of each call, so a row whose length is a cut takes the kernel's final c, and every
/// other row (most of them: they end inside a segment) gets c by replaying the cell-state recurrence over its own last
/// segment, from the segment's start up to its own end.
/// </summary>
/// <remarks>
/// <para>The replay needs no second run of the recurrence: the kernel's outputs are h at every step, so the gate
/// pre-activations of all replayed row-steps come from two batched matrix products, x_t·W_ihᵀ and h_(t−1)·W_hhᵀ (h at
/// the segment's first step is the segment's initial h), over the i, f, g rows only (PyTorch gate order i, f, g, o; o
/// does not enter c). Then c_t = f_t ⊙ c_(t−1) + i_t ⊙ g_t elementwise, one step per op for all replayed rows at once,
/// from the row's c at the segment start (the previous call's final c, or c0), each row stopping at its own end.
/// Everything is differentiable, so gradients reach x, h0, c0, the weights and, through the kernel's outputs and final
/// states, everything before.</para>
/// <para>Replayed rows are ordered by span (their own end − segment start) decreasing and their row-steps laid out
/// step by step, so the rows still running at replay step j are a prefix, as in the kernel calls; a row's final c is
/// cut out of the step where it ends. h at t − 1 comes from the calls' own outputs and the segment-start states, not
/// from the laid-out (T, N, H) output, so backward adds into small tensors only. Cost at N=64, lengths U[50,100],
/// 9 segments: 42 rows, 124 row-steps of two matrix products (about 16 µs per row-step forward, against the kernel's
/// 4.7: hence <see cref="RaggedSegments.ReplayCostRowSteps"/>) plus one elementwise op per step of the longest span.</para>
/// </remarks>
internal sealed class LstmCellReplay
{
    private readonly RaggedSegments segments;
    private readonly long[] running;                                  // rows of the replay still running at step j
    private readonly long[] offsets;                                  // first flat row-step of replay step j
    private readonly int[] sourceSegments;                            // the calls whose outputs give h at steps j ≥ 1
    private readonly Tensor? steps, rows;                             // (M) int64: time and sorted row of each row-step
    private readonly Tensor? startIndex;                              // (R) int64: into cat(state0, state after call 0, …)
    private readonly Tensor? laterIndex;                              // (M − R) int64: h at t − 1 in the flat outputs
    private readonly Tensor finalIndex;                               // (N) int64: sorted row → position in the pieces

    /// <param name="segments">The cut of the batch (sorted lengths, cuts, alive rows per call).</param>
    /// <param name="device">Where the index tensors live.</param>
    public LstmCellReplay(RaggedSegments segments, Device device)
    {
        this.segments = segments;
        var lens = segments.SortedLengths;
        int n = lens.Length;
        var position = new long[n];
        long next = 0;
        foreach (var (_, first, count) in segments.EndingAtCuts)
            for (long r = first; r < first + count; r++) position[r] = next++;

        // Rows ending strictly inside a segment: (sorted row, segment), by span decreasing (stable).
        var replayed = Enumerable.Range(0, n)
            .Select(r => (Row: (long)r, Segment: segments.SegmentOfRow[r]))
            .Where(p => segments.Cuts[p.Segment] != lens[p.Row])
            .OrderByDescending(p => lens[p.Row] - segments.Starts[p.Segment])
            .ToArray();
        Rows = replayed.Length;
        RowSteps = replayed.Sum(p => lens[p.Row] - segments.Starts[p.Segment]);
        long longest = Rows == 0 ? 0 : lens[replayed[0].Row] - segments.Starts[replayed[0].Segment];
        sourceSegments = replayed.Where(p => lens[p.Row] - segments.Starts[p.Segment] > 1).Select(p => p.Segment).Distinct().Order().ToArray();
        var flatOffset = segments.FlatOffsets(sourceSegments);
        running = new long[longest + 1];
        offsets = new long[longest];
        var stepList = new List<long>();
        var rowList = new List<long>();
        var laterList = new List<long>();
        for (long j = 0; j < longest; j++)
        {
            offsets[j] = stepList.Count;
            foreach (var (row, segment) in replayed)
            {
                if (lens[row] - segments.Starts[segment] <= j) break;
                stepList.Add(segments.Starts[segment] + j);
                rowList.Add(row);
                if (j > 0) laterList.Add(flatOffset[segment] + (j - 1) * segments.AliveRows[segment] + row);
            }
            running[j] = stepList.Count - offsets[j];
        }
        for (long j = 0; j < longest; j++)
            for (long q = running[j + 1]; q < running[j]; q++) position[replayed[q].Row] = next++;

        finalIndex = tensor(position, ScalarType.Int64, device);
        if (Rows == 0) return;
        steps = tensor(stepList.ToArray(), ScalarType.Int64, device);
        rows = tensor(rowList.ToArray(), ScalarType.Int64, device);
        if (laterList.Count > 0) laterIndex = tensor(laterList.ToArray(), ScalarType.Int64, device);
        // The state a replayed row starts from: the slot's initial state (block 0, N rows), or the final state of the
        // call before its segment (block k for segment k ≥ 1, AliveRows[k − 1] rows).
        var blockStart = new long[segments.Count];
        for (int k = 1; k < segments.Count; k++) blockStart[k] = k == 1 ? n : blockStart[k - 1] + segments.AliveRows[k - 2];
        startIndex = tensor(replayed.Select(p => blockStart[p.Segment] + p.Row).ToArray(), ScalarType.Int64, device);
    }

    /// <summary>The number of rows whose c is replayed (their length is not a cut).</summary>
    public int Rows { get; }

    /// <summary>The number of row-steps replayed (Σ over replayed rows of length − segment start).</summary>
    public long RowSteps { get; }

    /// <summary>The final c of every row, in sorted order: (1, N, H).</summary>
    /// <param name="x">(T', N, F) the slot's input as the kernel saw it (sorted; reversed within lengths for a reverse
    /// slot), T' ≥ the longest length.</param>
    /// <param name="outputs">(T_k, AliveRows[k], H) the output of call k (h at every step of its segment).</param>
    /// <param name="h0">(1, N, H) the slot's initial h.</param>
    /// <param name="c0">(1, N, H) the slot's initial c.</param>
    /// <param name="hAfter">(1, AliveRows[k], H) the final h of call k.</param>
    /// <param name="cAfter">(1, AliveRows[k], H) the final c of call k.</param>
    /// <param name="weightIh">(4H, F).</param>
    /// <param name="weightHh">(4H, H).</param>
    /// <param name="biasIh">(4H) or null (a layer without biases).</param>
    /// <param name="biasHh">(4H) or null.</param>
    public Tensor FinalC(Tensor x, Tensor[] outputs, Tensor h0, Tensor c0, Tensor[] hAfter, Tensor[] cAfter,
        Tensor weightIh, Tensor weightHh, Tensor? biasIh, Tensor? biasHh)
    {
        var pieces = segments.EndingAtCuts.Select(p => cAfter[p.Segment][0].narrow(0, p.First, p.Count)).ToList();
        if (Rows > 0)
        {
            long h = h0.shape[2];
            var xs = x.index(TensorIndex.Tensor(steps!), TensorIndex.Tensor(rows!));
            // h at t − 1: the segment's initial h at the first replayed step of each row (the first Rows row-steps),
            // the call's own outputs after it.
            var hs = StartStates(h0, hAfter).index_select(0, startIndex!);
            if (laterIndex is not null)
                hs = cat(new[] { hs, RaggedSegments.FlatOutputs(outputs, sourceSegments).index_select(0, laterIndex) }, 0);
            var bias = biasIh is null || biasHh is null ? (biasIh ?? biasHh)?.narrow(0, 0, 3 * h)
                : biasIh.narrow(0, 0, 3 * h).add(biasHh.narrow(0, 0, 3 * h), PinnedScalars.One);
            var gates = nn.functional.linear(xs, weightIh.narrow(0, 0, 3 * h), bias).addmm(hs, weightHh.narrow(0, 0, 3 * h).t());
            var inputForget = gates.narrow(1, 0, 2 * h).sigmoid();
            var forget = inputForget.narrow(1, h, h);
            var written = inputForget.narrow(1, 0, h) * gates.narrow(1, 2 * h, h).tanh();
            var c = StartStates(c0, cAfter).index_select(0, startIndex!);
            for (long j = 0; j < offsets.Length; j++)
            {
                long alive = running[j], ended = alive - running[j + 1];
                c = written.narrow(0, offsets[j], alive).addcmul(forget.narrow(0, offsets[j], alive), c.narrow(0, 0, alive), PinnedScalars.One);
                if (ended > 0) pieces.Add(c.narrow(0, running[j + 1], ended));
            }
        }
        var all = pieces.Count == 1 ? pieces[0] : cat(pieces, 0);
        return all.index_select(0, finalIndex).unsqueeze(0);
    }

    /// <summary>cat(initial, after call 0, …, after call K − 2) along rows: (N + Σ AliveRows[0..K−2], H).</summary>
    private Tensor StartStates(Tensor initial, Tensor[] after)
    {
        var blocks = new Tensor[segments.Count];
        blocks[0] = initial[0];
        for (int k = 1; k < blocks.Length; k++) blocks[k] = after[k - 1][0];
        return blocks.Length == 1 ? blocks[0] : cat(blocks, 0);
    }
}
