using RnnMl.Torch.Cells;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// The <see cref="RecurrentBackend.ComposedGemm"/> backend: built-in LSTM cells, each direction of each layer run as one
/// <see cref="LstmSequenceFunction"/> on the input projection of all steps, layer by layer.
/// </summary>
/// <remarks>
/// With lengths, the batch is sorted by length (longest first) once at the start, so that the rows taking part in
/// step t are a prefix of the batch in both directions and every step works on that prefix only; outputs and final
/// states are put back in the caller's order at the end. The sort and its inverse are gathers under autograd.
/// </remarks>
internal static class GemmRecurrence
{
    /// <summary>Runs <paramref name="cells"/> (index layer·D + direction, all <see cref="LstmCell"/>) over a validated input.</summary>
    /// <remarks><c>lens</c>: valid lengths per sequence, or null when every sequence has all T steps.</remarks>
    public static (Tensor Output, RecurrentState State) Run(IReadOnlyList<RecurrentCell> cells, RecurrentLayerOptions options,
        bool training, Tensor input, RecurrentState? state, long[]? lens)
    {
        bool batchFirst = options.BatchFirst;
        var x = batchFirst ? input.transpose(0, 1) : input;
        int steps = (int)x.shape[0];
        long n = x.shape[1];
        int layers = options.NumLayers, dirs = options.Bidirectional ? 2 : 1;
        long hidden = options.HiddenSize;
        var h0 = state?.H;
        var c0 = state?.C;

        long[]? active = null;
        Tensor? order = null, inverse = null;
        if (lens is not null)
        {
            var sorted = Enumerable.Range(0, (int)n).OrderByDescending(k => lens[k]).ThenBy(k => k).Select(k => (long)k).ToArray();
            active = new long[steps];
            for (int t = 0; t < steps; t++) active[t] = lens.Count(l => l > t);
            if (sorted.Where((k, j) => k != j).Any())
            {
                order = tensor(sorted, ScalarType.Int64, input.device);
                inverse = order.argsort();
                x = x.index_select(1, order);
                h0 = h0?.index_select(1, order);
                c0 = c0?.index_select(1, order);
            }
        }

        var hN = new Tensor[layers * dirs];
        var cN = new Tensor[layers * dirs];
        for (int layer = 0; layer < layers; layer++)
        {
            var halves = new Tensor[dirs];
            for (int dir = 0; dir < dirs; dir++)
            {
                int slot = layer * dirs + dir;
                var cell = (LstmCell)cells[slot];
                var h = h0?[slot] ?? zeros(n, hidden, input.dtype, input.device);
                var c = c0?[slot] ?? zeros(n, hidden, input.dtype, input.device);
                // The input projection stays under autograd: from the gate gradients the function returns, its
                // backward forms dW_ih, dx and the biases' gradients with one matrix product each.
                (halves[dir], hN[slot], cN[slot]) = LstmSequenceFunction.Run(cell.ProjectInput(x), h, c, cell.weight_hh,
                    active, reverse: dir == 1);
            }
            x = dirs == 1 ? halves[0] : cat(halves, 2);
            if (layer < layers - 1 && options.Dropout > 0 && training)
                x = nn.functional.dropout(x, options.Dropout, training: true);
        }
        var hOut = stack(hN, 0);
        var cOut = stack(cN, 0);
        if (inverse is not null)
        {
            x = x.index_select(1, inverse);
            hOut = hOut.index_select(1, inverse);
            cOut = cOut.index_select(1, inverse);
        }
        return (batchFirst ? x.transpose(0, 1) : x, new RecurrentState(hOut, cOut));
    }
}
