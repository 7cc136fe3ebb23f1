using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// The fused backends: libtorch's kernels run slot by slot (<see cref="FusedSlots"/>), layer by layer, time-major.
/// Full-length batches: the forward slot on the input, the reverse slot on the time-flipped input (flipped back after).
/// With lengths, <see cref="RecurrentBackend.Fused"/> packs (pack_padded_sequence) and
/// <see cref="RecurrentBackend.FusedRagged"/> sorts the padded batch by length once and runs it in a few segments
/// (<see cref="RunRagged"/>, <see cref="RaggedSegments"/>).
/// </summary>
internal static class FusedRecurrence
{
    /// <summary>Runs every slot over a validated input.</summary>
    /// <remarks><c>lens</c>: valid lengths per sequence, or null when every sequence has all T steps;
    /// <c>ragged</c>: with lengths, the padded (true) or the packed (false) path; <c>cellState</c>: false when the caller
    /// never reads the final LSTM c, so the ragged path need not replay it (the state's C is then null there);
    /// <c>poolingOnly</c>: see <see cref="RecurrentLayer.ForwardOutputsAndH"/>.</remarks>
    public static (Tensor Output, RecurrentState State) Run(FusedSlots slots, RecurrentLayerOptions options, bool training,
        Tensor input, RecurrentState? state, long[]? lens, bool ragged, bool cellState = true, bool poolingOnly = false)
    {
        int layers = options.NumLayers, dirs = options.Bidirectional ? 2 : 1;
        var x = options.BatchFirst ? input.transpose(0, 1) : input;
        // Ragged: sorted by length once; every layer and direction runs in that order, put back at the end (the output
        // by the last layer's own layout gather).
        bool replays = slots.Kind == FusedKind.Lstm && cellState;
        var segments = lens is not null && ragged ? new RaggedSegments(lens, x.device, replays) : null;
        var replay = segments is not null && replays ? new LstmCellReplay(segments, x.device) : null;
        var batch = lens is null ? null : new RaggedBatch(segments?.SortedLengths ?? lens, x.shape[0], x.device);
        var stateH = state?.H;
        var stateC = state?.C;
        if (segments is not null)
        {
            x = segments.ToSorted(x, 1);
            stateH = stateH is null ? null : segments.ToSorted(stateH, 1);
            stateC = stateC is null ? null : segments.ToSorted(stateC, 1);
        }
        var hs = new Tensor[layers * dirs];
        var cs = slots.Kind == FusedKind.Lstm && (cellState || segments is null) ? new Tensor[layers * dirs] : null;
        for (int layer = 0; layer < layers; layer++)
        {
            var halves = new Tensor[dirs];
            for (int dir = 0; dir < dirs; dir++)
            {
                int slot = layer * dirs + dir;
                var h0 = stateH?.narrow(0, slot, 1);
                var c0 = stateC?.narrow(0, slot, 1);
                bool reverse = dir == 1;
                var (o, h, c) = batch is null ? RunFull(slots, slot, x, h0, c0, reverse)
                    : segments is not null ? RunRagged(slots, slot, x, h0, c0, batch, segments, replay, options.Bias, reverse, layer == layers - 1,
                        poolingOnly && layer == layers - 1)
                    : RunPacked(slots, slot, x, h0, c0, batch, reverse);
                halves[dir] = o;
                hs[slot] = h;
                if (cs is not null) cs[slot] = c!;
            }
            x = dirs == 1 ? halves[0] : cat(halves, 2);
            if (layer < layers - 1 && options.Dropout > 0 && training)
                x = nn.functional.dropout(x, options.Dropout, training: true);
        }
        var hN = hs.Length == 1 ? hs[0] : cat(hs, 0);
        var cN = cs is null ? null : cs.Length == 1 ? cs[0] : cat(cs, 0);
        if (segments is not null)
        {
            // The last layer's output is already in the caller's order (RaggedSegments.LayOut).
            hN = segments.ToCaller(hN, 1);
            cN = cN is null ? null : segments.ToCaller(cN, 1);
        }
        var output = options.BatchFirst ? x.transpose(0, 1) : x;
        return (output, new RecurrentState(hN, cN));
    }

    private static (Tensor, Tensor, Tensor?) RunFull(FusedSlots slots, int slot, Tensor x, Tensor? h0, Tensor? c0, bool reverse)
    {
        if (!reverse) return slots.Run(slot, x, h0, c0);
        var (o, h, c) = slots.Run(slot, x.flip(0), h0, c0);
        return (o.flip(0), h, c);
    }

    private static (Tensor, Tensor, Tensor?) RunPacked(FusedSlots slots, int slot, Tensor x, Tensor? h0, Tensor? c0, RaggedBatch batch, bool reverse)
    {
        var xin = reverse ? batch.ReverseWithinLengths(x) : x;
        using var packed = nn.utils.rnn.pack_padded_sequence(xin, batch.CpuLengths, false, enforce_sorted: false);
        var (po, h, c) = slots.RunPacked(slot, packed, h0, c0);
        Tensor o;
        using (po)
        {
            var (padded, outLengths) = nn.utils.rnn.pad_packed_sequence(po, false, 0.0, batch.Steps);
            outLengths.Dispose();
            o = padded;
        }
        return (reverse ? batch.ReverseWithinLengths(o) : o, h, c);
    }

    /// <summary>
    /// One slot on a right-padded ragged batch in sorted order (<see cref="RaggedSegments"/>) without packing: the
    /// kernel runs once per segment, each time on the rows still alive at the segment's start, from their carried state.
    /// The reverse slot runs on each sequence reversed within its own length (one gather, undone by the same gather), so
    /// both directions start at a sequence's first valid step of their own order and have the same lengths. Steps
    /// computed past a sequence's end never reach its outputs (zero: <see cref="RaggedSegments.LayOut"/>) or its final
    /// state: h is the call's final h where its length is a cut and its own last valid output elsewhere, LSTM c the
    /// call's final c where its length is a cut and <see cref="LstmCellReplay"/>'s elsewhere.
    /// </summary>
    private static (Tensor, Tensor, Tensor?) RunRagged(FusedSlots slots, int slot, Tensor x, Tensor? h0, Tensor? c0,
        RaggedBatch batch, RaggedSegments segments, LstmCellReplay? replay, bool bias, bool reverse, bool callerOrder, bool poolingOnly)
    {
        var xin = reverse ? batch.ReverseWithinLengths(x) : x;
        long n = x.shape[1];
        // One split along time (its backward is one concatenation; a narrow per call would give each call's input
        // gradient as a zero-filled tensor of the whole input).
        var sizes = segments.Cuts.Select((e, k) => e - segments.Starts[k]).ToList();
        if (batch.MaxLength < batch.Steps) sizes.Add(batch.Steps - batch.MaxLength);
        var pieces = sizes.Count == 1 ? new[] { xin } : xin.split(sizes.ToArray(), 0);
        var outputs = new Tensor[segments.Count];
        var hAfter = new Tensor[segments.Count];
        var cAfter = new Tensor[segments.Count];
        for (int k = 0; k < segments.Count; k++)
        {
            long rows = segments.AliveRows[k];
            Tensor? hPrev = k == 0 ? h0 : hAfter[k - 1], cPrev = k == 0 ? c0 : cAfter[k - 1];
            Tensor? c;
            (outputs[k], hAfter[k], c) = slots.Run(slot, rows < n ? pieces[k].narrow(1, 0, rows) : pieces[k],
                hPrev?.narrow(1, 0, rows), cPrev?.narrow(1, 0, rows));
            if (c is not null) cAfter[k] = c;
        }
        var hN = segments.FinalH(outputs, hAfter);
        Tensor? cN = null;
        if (replay is not null)
        {
            var hStart = h0 ?? zeros_like(hN);
            cN = replay.FinalC(xin, outputs, hStart, c0 ?? zeros_like(hN), hAfter, cAfter,
                slots.Parameter(slot, "weight_ih"), slots.Parameter(slot, "weight_hh"),
                bias ? slots.Parameter(slot, "bias_ih") : null, bias ? slots.Parameter(slot, "bias_hh") : null);
        }
        return (segments.LayOut(outputs, batch.Steps, reverse, callerOrder, batch, poolingOnly), hN, cN);
    }
}
