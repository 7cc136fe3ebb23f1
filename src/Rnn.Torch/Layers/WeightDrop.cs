using RnnMl.Torch.Cells;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// DropConnect on a built-in cell's hidden-to-hidden weight W_hh (<see cref="RecurrentLayerOptions.WeightDropout"/>):
/// <see cref="Begin"/> draws one Bernoulli(1 − p) mask of W_hh's shape and gives the cell W_hh · mask / (1 − p) for
/// the time loop that follows; disposing the result gives the cell back its own W_hh. The gradient reaches W_hh only
/// through the kept entries (each scaled by 1/(1 − p)).
/// </summary>
internal sealed class WeightDrop : IDisposable
{
    private readonly TorchLayoutCell? cell;

    private WeightDrop(TorchLayoutCell? cell) => this.cell = cell;

    /// <summary>Masks <paramref name="cell"/>'s W_hh until disposed; does nothing out of training, for p = 0 or for a
    /// custom cell (which layers refuse with weight dropout). The masked tensor lives in the caller's dispose scope.</summary>
    public static WeightDrop Begin(RecurrentCell cell, double p, bool training)
    {
        if (!training || p <= 0 || cell is not TorchLayoutCell layout) return new WeightDrop(null);
        var w = layout.weight_hh;
        using var keep = bernoulli(full_like(w, 1 - p));
        layout.recurrentWeightOverride = w * keep / (1 - p);
        return new WeightDrop(layout);
    }

    /// <summary>Gives the cell back its own W_hh.</summary>
    public void Dispose()
    {
        if (cell is not null) cell.recurrentWeightOverride = null;
    }
}
