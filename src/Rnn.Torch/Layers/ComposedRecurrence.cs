using RnnMl.Torch.Cells;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>The composed backend: our cells stepped over time with autograd, layer by layer, both directions.</summary>
internal static class ComposedRecurrence
{
    /// <summary>Runs <paramref name="cells"/> (index layer·D + direction) over a validated input.</summary>
    /// <remarks><c>lens</c>: valid lengths per sequence, or null when every sequence has all T steps; with lengths the
    /// work goes to <see cref="RaggedComposedRecurrence"/>.</remarks>
    public static (Tensor Output, RecurrentState State) Run(IReadOnlyList<RecurrentCell> cells, RecurrentLayerOptions options,
        bool training, Tensor input, RecurrentState? state, long[]? lens)
    {
        if (lens is not null) return RaggedComposedRecurrence.Run(cells, options, training, input, state, lens);
        bool batchFirst = options.BatchFirst;
        int timeDim = batchFirst ? 1 : 0;
        int steps = (int)input.shape[timeDim];
        long n = input.shape[batchFirst ? 0 : 1];
        int stateCount = cells[0].StateCount;
        long hidden = options.HiddenSize;

        Tensor[]? h0 = state?.H.unbind(0);
        Tensor[]? c0 = state?.C?.unbind(0);
        var (x, finals) = LayerByLayer.Run(cells, options, training, input, featureDim: 2, (layerInput, slot, dir, cell) =>
        {
            var s = new Tensor[stateCount];
            s[0] = h0?[slot] ?? zeros(n, hidden, input.dtype, input.device);
            if (stateCount == 2) s[1] = c0?[slot] ?? zeros(n, hidden, input.dtype, input.device);

            // One matrix product for the input part of every step; unbind (not select) keeps the backward
            // pass from allocating a full-size gradient per step.
            var projected = cell.ProjectInput(layerInput).unbind(timeDim);
            var outputs = new Tensor[steps];
            for (int i = 0; i < steps; i++)
            {
                int step = dir == 0 ? i : steps - 1 - i;
                s = cell.Step(projected[step], s);
                outputs[step] = s[0];
            }
            return (stack(outputs, timeDim), s);
        });
        var hN = stack(finals[0], 0);
        var cN = stateCount == 2 ? stack(finals[1], 0) : null;
        return (x, new RecurrentState(hN, cN));
    }
}
