using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// The fused backends: libtorch's kernels run slot by slot (<see cref="FusedSlots"/>), layer by layer, time-major.
/// Full-length batches: the forward slot on the input, the reverse slot on the time-flipped input (flipped back after).
/// With lengths, <see cref="RecurrentBackend.Fused"/> packs (pack_padded_sequence) and
/// <see cref="RecurrentBackend.FusedRagged"/> runs the padded batch as it is (<see cref="RunRagged"/>).
/// </summary>
internal static class FusedRecurrence
{
    /// <summary>Runs every slot over a validated input.</summary>
    /// <remarks><c>lens</c>: valid lengths per sequence, or null when every sequence has all T steps;
    /// <c>ragged</c>: with lengths, the padded (true) or the packed (false) path.</remarks>
    public static (Tensor Output, RecurrentState State) Run(FusedSlots slots, RecurrentLayerOptions options, bool training,
        Tensor input, RecurrentState? state, long[]? lens, bool ragged)
    {
        int layers = options.NumLayers, dirs = options.Bidirectional ? 2 : 1;
        var x = options.BatchFirst ? input.transpose(0, 1) : input;
        var batch = lens is null ? null : new RaggedBatch(lens, x.shape[0], x.device);
        var hs = new Tensor[layers * dirs];
        var cs = slots.Kind == FusedKind.Lstm ? new Tensor[layers * dirs] : null;
        for (int layer = 0; layer < layers; layer++)
        {
            var halves = new Tensor[dirs];
            for (int dir = 0; dir < dirs; dir++)
            {
                int slot = layer * dirs + dir;
                var h0 = state?.H.narrow(0, slot, 1);
                var c0 = state?.C?.narrow(0, slot, 1);
                bool reverse = dir == 1;
                var (o, h, c) = batch is null ? RunFull(slots, slot, x, h0, c0, reverse)
                    : ragged ? RunRagged(slots, slot, x, h0, c0, batch, reverse)
                    : RunPacked(slots, slot, x, h0, c0, batch, reverse);
                halves[dir] = o;
                hs[slot] = h;
                if (cs is not null) cs[slot] = c!;
            }
            x = dirs == 1 ? halves[0] : cat(halves, 2);
            if (layer < layers - 1 && options.Dropout > 0 && training)
                x = nn.functional.dropout(x, options.Dropout, training: true);
        }
        var output = options.BatchFirst ? x.transpose(0, 1) : x;
        var hN = hs.Length == 1 ? hs[0] : cat(hs, 0);
        var cN = cs is null ? null : cs.Length == 1 ? cs[0] : cat(cs, 0);
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
    /// One slot on a right-padded ragged batch without packing. The reverse slot runs on each sequence reversed within
    /// its own length (one gather, undone by the same gather), so both directions start at a sequence's first valid
    /// step of their own order; the kernel runs only up to the longest length. Steps computed past a sequence's end
    /// never reach its outputs (masked to zero) or its final state: h (and c) are taken at its own last valid step, for
    /// LSTM by splitting time at each distinct length and carrying the state across the calls.
    /// </summary>
    private static (Tensor, Tensor, Tensor?) RunRagged(FusedSlots slots, int slot, Tensor x, Tensor? h0, Tensor? c0, RaggedBatch batch, bool reverse)
    {
        var xin = (reverse ? batch.ReverseWithinLengths(x) : x).narrow(0, 0, batch.MaxLength);
        Tensor o, h;
        Tensor? c = null;
        if (slots.Kind != FusedKind.Lstm)
        {
            (o, _, _) = slots.Run(slot, xin, h0, null);
            h = batch.AtLastStep(o);
        }
        else
        {
            var outs = new Tensor[batch.Boundaries.Length];
            var hAt = new Tensor[outs.Length];
            var cAt = new Tensor[outs.Length];
            long start = 0;
            Tensor? hPrev = h0, cPrev = c0;
            for (int k = 0; k < outs.Length; k++)
            {
                long end = batch.Boundaries[k];
                (outs[k], hPrev, cPrev) = slots.Run(slot, xin.narrow(0, start, end - start), hPrev, cPrev);
                hAt[k] = hPrev;
                cAt[k] = cPrev!;
                start = end;
            }
            o = outs.Length == 1 ? outs[0] : cat(outs, 0);
            h = outs.Length == 1 ? hAt[0] : batch.AtOwnBoundary(cat(hAt, 0));
            c = outs.Length == 1 ? cAt[0] : batch.AtOwnBoundary(cat(cAt, 0));
        }
        if (batch.MaxLength < batch.Steps)
            o = nn.functional.pad(o, [0, 0, 0, 0, 0, batch.Steps - batch.MaxLength]);
        o = o.masked_fill(batch.Padding, 0.0);
        return (reverse ? batch.ReverseWithinLengths(o) : o, h, c);
    }
}
