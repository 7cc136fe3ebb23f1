using RnnMl.Torch.Cells;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>The composed backend: our cells stepped over time with autograd, layer by layer, both directions.</summary>
internal static class ComposedRecurrence
{
    /// <summary>Runs <paramref name="cells"/> (index layer·D + direction) over a validated input.</summary>
    /// <remarks><c>lens</c>: valid lengths per sequence, or null when every sequence has all T steps.</remarks>
    public static (Tensor Output, RecurrentState State) Run(IReadOnlyList<RecurrentCell> cells, RecurrentLayerOptions options,
        bool training, Tensor input, RecurrentState? state, long[]? lens)
    {
        bool batchFirst = options.BatchFirst;
        int timeDim = batchFirst ? 1 : 0;
        int steps = (int)input.shape[timeDim];
        long n = input.shape[batchFirst ? 0 : 1];
        int layers = options.NumLayers, dirs = options.Bidirectional ? 2 : 1;
        int stateCount = cells[0].StateCount;
        long hidden = options.HiddenSize;

        Tensor[]? valid = null, validF = null;
        if (lens is not null)
        {
            // (T, N, 1): whether step t is inside sequence n.
            using var lenT = tensor(lens, ScalarType.Int64, input.device);
            using var stepT = arange(steps, ScalarType.Int64, input.device);
            using var mask = stepT.unsqueeze(1).lt(lenT.unsqueeze(0)).unsqueeze(2);
            valid = mask.unbind(0);
            using var maskF = mask.to(input.dtype);
            validF = maskF.unbind(0);
        }

        Tensor[]? h0 = state?.H.unbind(0);
        Tensor[]? c0 = state?.C?.unbind(0);
        var finals = new Tensor[stateCount][];
        for (int k = 0; k < stateCount; k++) finals[k] = new Tensor[layers * dirs];

        Tensor x = input;
        for (int layer = 0; layer < layers; layer++)
        {
            var halves = new Tensor[dirs];
            for (int dir = 0; dir < dirs; dir++)
            {
                int slot = layer * dirs + dir;
                var cell = cells[slot];
                var s = new Tensor[stateCount];
                s[0] = h0?[slot] ?? zeros(n, hidden, input.dtype, input.device);
                if (stateCount == 2) s[1] = c0?[slot] ?? zeros(n, hidden, input.dtype, input.device);

                // One matrix product for the input part of every step; unbind (not select) keeps the backward
                // pass from allocating a full-size gradient per step.
                var projected = cell.ProjectInput(x).unbind(timeDim);
                var outputs = new Tensor[steps];
                for (int i = 0; i < steps; i++)
                {
                    int step = dir == 0 ? i : steps - 1 - i;
                    var next = cell.Step(projected[step], s);
                    if (valid is not null)
                    {
                        for (int k = 0; k < next.Length; k++) next[k] = where(valid[step], next[k], s[k]);
                        outputs[step] = next[0] * validF![step];
                    }
                    else
                    {
                        outputs[step] = next[0];
                    }
                    s = next;
                }
                for (int k = 0; k < stateCount; k++) finals[k][slot] = s[k];
                halves[dir] = stack(outputs, timeDim);
            }
            x = dirs == 1 ? halves[0] : cat(halves, 2);
            if (layer < layers - 1 && options.Dropout > 0 && training)
                x = nn.functional.dropout(x, options.Dropout, training: true);
        }
        var hN = stack(finals[0], 0);
        var cN = stateCount == 2 ? stack(finals[1], 0) : null;
        return (x, new RecurrentState(hN, cN));
    }
}
