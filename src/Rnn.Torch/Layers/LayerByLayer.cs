using RnnMl.Torch.Cells;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// The layer loop the composed backends share (<see cref="ComposedRecurrence"/>, <see cref="RaggedComposedRecurrence"/>):
/// each layer's directions run on the previous layer's output, cell index layer·D + direction, with DropConnect on
/// W_hh for the direction's run; the directions' outputs are joined along the feature dimension and, in training, dropout
/// is applied between layers; each slot's final states are collected.
/// </summary>
internal static class LayerByLayer
{
    /// <summary>Runs every layer and direction through <paramref name="direction"/>.</summary>
    /// <param name="cells">The cells, one per slot (layer·D + direction).</param>
    /// <param name="options">The layer's options (layers, directions, dropout, DropConnect).</param>
    /// <param name="training">Autograd on: dropout and DropConnect act.</param>
    /// <param name="input">The first layer's input.</param>
    /// <param name="featureDim">The dimension along which the two directions' outputs are joined.</param>
    /// <param name="direction">One direction of one layer: (layer input, slot, direction, cell) → (output, final states).</param>
    /// <returns>The last layer's output and the final states, [state][slot].</returns>
    public static (Tensor Output, Tensor[][] Finals) Run(IReadOnlyList<RecurrentCell> cells, RecurrentLayerOptions options, bool training,
        Tensor input, int featureDim, Func<Tensor, int, int, RecurrentCell, (Tensor Output, Tensor[] Final)> direction)
    {
        int layers = options.NumLayers, dirs = options.Bidirectional ? 2 : 1;
        int stateCount = cells[0].StateCount;
        var finals = new Tensor[stateCount][];
        for (int k = 0; k < stateCount; k++) finals[k] = new Tensor[layers * dirs];
        var x = input;
        for (int layer = 0; layer < layers; layer++)
        {
            var halves = new Tensor[dirs];
            for (int dir = 0; dir < dirs; dir++)
            {
                int slot = layer * dirs + dir;
                var cell = cells[slot];
                // DropConnect: W_hh masked once here, before the time loop, so every step uses the same mask.
                using var weightDrop = WeightDrop.Begin(cell, options.WeightDropout, training);
                var (output, final) = direction(x, slot, dir, cell);
                for (int k = 0; k < stateCount; k++) finals[k][slot] = final[k];
                halves[dir] = output;
            }
            x = dirs == 1 ? halves[0] : cat(halves, featureDim);
            if (layer < layers - 1 && options.Dropout > 0 && training)
                x = nn.functional.dropout(x, options.Dropout, training: true);
        }
        return (x, finals);
    }
}
