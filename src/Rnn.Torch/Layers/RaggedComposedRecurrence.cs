using RnnMl.Torch.Cells;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// The composed backend on a right-padded batch with lengths: our cells stepped over time with autograd, each step on
/// the sequences that are still running only, with no masks and no packing kernel.
/// </summary>
/// <remarks>
/// Once per call, the sequences are ordered by length (longest first, ties by position), so the rows taking part in
/// step t are a prefix of that order, of size m_t = #{n : len_n &gt; t}, in both directions. One gather takes the valid
/// steps of the input, step by step, into a packed (Σ len, I) matrix (the same row order as a packed sequence); every
/// layer and direction then works on packed rows: one input projection of all valid steps, split (a view per step)
/// into the m_t rows of each step. The forward direction drops the rows of sequences that have ended (their final
/// state, kept as they leave); the reverse direction walks t from the longest length down to 0 and adds the rows of
/// sequences whose last step is t, starting from their initial state, so each sequence runs its own steps in reverse.
/// A direction's outputs are its per-step outputs concatenated in time order, which is the packed input of the next
/// layer. At the end one scatter puts the packed output into a zero (T, N, D·H) tensor in the caller's layout and
/// order, and one gather puts the final states back in the caller's order. Padded steps get zero output and zero
/// gradient; the values and gradients equal those of running each sequence alone.
/// </remarks>
internal static class RaggedComposedRecurrence
{
    /// <summary>Runs <paramref name="cells"/> (index layer·D + direction) over a validated input with lengths.</summary>
    /// <remarks><c>lens</c>: (N) valid lengths, each in [1, T].</remarks>
    public static (Tensor Output, RecurrentState State) Run(IReadOnlyList<RecurrentCell> cells, RecurrentLayerOptions options,
        bool training, Tensor input, RecurrentState? state, long[] lens)
    {
        bool batchFirst = options.BatchFirst;
        long steps = input.shape[batchFirst ? 1 : 0];
        int n = lens.Length;
        int stateCount = cells[0].StateCount;
        long hidden = options.HiddenSize;

        long[] order = Enumerable.Range(0, n).OrderByDescending(k => lens[k]).ThenBy(k => k).Select(k => (long)k).ToArray();
        bool sorted = order.Select((k, j) => k == j).All(b => b);
        int maxLength = (int)lens[order[0]];
        var active = new long[maxLength];
        for (int t = 0; t < maxLength; t++) active[t] = lens.Count(l => l > t);
        // Packed row p ↔ position (t, order[j]) of the caller's (T, N) or (N, T) grid, t-major, j < m_t.
        var rows = new long[active.Sum()];
        for (int t = 0, p = 0; t < maxLength; t++)
            for (int j = 0; j < active[t]; j++)
                rows[p++] = batchFirst ? order[j] * steps + t : t * n + order[j];
        var rowIndex = tensor(rows, ScalarType.Int64, input.device);
        var flatInput = input.reshape(-1, input.shape[2]);
        // The back index only serves the gather's backward: inference does without it.
        var rowBack = InjectiveRowGather.Records(flatInput)
            ? tensor(InjectiveRowGather.Back(rows, steps * n), ScalarType.Int64, input.device)
            : null;
        var orderIndex = sorted ? null : tensor(order, ScalarType.Int64, input.device);

        Tensor[]? Initial(Tensor? s) => s is null ? null : (orderIndex is null ? s : s.index_select(1, orderIndex)).unbind(0);
        var initial = new[] { Initial(state?.H), Initial(state?.C) };

        var packed = InjectiveRowGather.Apply(flatInput, rowIndex, rowBack);
        var (x, finals) = LayerByLayer.Run(cells, options, training, packed, featureDim: 1, (layerInput, slot, dir, cell) =>
        {
            var final = new Tensor[stateCount];
            Tensor Start(int k, long from, long count) => initial[k]?[slot].narrow(0, from, count)
                ?? zeros(count, hidden, input.dtype, input.device);
            var projected = cell.ProjectInput(layerInput).split(active, 0);
            var outputs = new Tensor[maxLength];
            var s = new Tensor[stateCount];
            if (dir == 0)
            {
                // Rows leave as their sequences end: pieces[k] holds their final states, shortest sequences first.
                var pieces = new List<Tensor>[stateCount];
                for (int k = 0; k < stateCount; k++) { s[k] = Start(k, 0, n); pieces[k] = []; }
                long current = n;
                for (int t = 0; t < maxLength; t++)
                {
                    long m = active[t];
                    if (m < current)
                    {
                        for (int k = 0; k < stateCount; k++)
                        {
                            pieces[k].Add(s[k].narrow(0, m, current - m));
                            s[k] = s[k].narrow(0, 0, m);
                        }
                        current = m;
                    }
                    s = cell.Step(projected[t], s);
                    outputs[t] = s[0];
                }
                for (int k = 0; k < stateCount; k++)
                {
                    pieces[k].Add(s[k]);
                    pieces[k].Reverse();
                    final[k] = pieces[k].Count == 1 ? pieces[k][0] : cat(pieces[k], 0);
                }
            }
            else
            {
                // Rows join at their own last step, from their initial state.
                long current = 0;
                for (int t = maxLength - 1; t >= 0; t--)
                {
                    long m = active[t];
                    if (m > current)
                    {
                        for (int k = 0; k < stateCount; k++)
                            s[k] = current == 0 ? Start(k, 0, m) : cat(new[] { s[k], Start(k, current, m - current) }, 0);
                        current = m;
                    }
                    s = cell.Step(projected[t], s);
                    outputs[t] = s[0];
                }
                for (int k = 0; k < stateCount; k++) final[k] = s[k];
            }
            return (cat(outputs, 0), final);
        });

        var grid = zeros(steps * n, x.shape[1], x.dtype, x.device).index_copy(0, rowIndex, x);
        var output = batchFirst ? grid.view(n, steps, -1) : grid.view(steps, n, -1);
        var inverse = orderIndex?.argsort();
        Tensor Final(Tensor[] perSlot)
        {
            var all = stack(perSlot, 0);
            return inverse is null ? all : all.index_select(1, inverse);
        }
        return (output, new RecurrentState(Final(finals[0]), stateCount == 2 ? Final(finals[1]) : null));
    }
}
