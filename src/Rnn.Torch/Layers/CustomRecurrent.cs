using RnnMl.Torch.Cells;
using TorchSharp;

namespace RnnMl.Torch.Layers;

/// <summary>
/// A recurrent layer of any <see cref="RecurrentCell"/>: the same loop over time, stacking, bidirectional wrapper and
/// variable-length handling as the built-in layers, on the composed backend. See <see cref="RecurrentLayer"/> for shapes.
/// </summary>
/// <remarks>The cells are registered as submodules named <c>cell_l{k}</c> and <c>cell_l{k}_reverse</c>.</remarks>
public sealed class CustomRecurrent : RecurrentLayer
{
    private CustomRecurrent(RecurrentLayerOptions options, Func<CellSlot, RecurrentCell> cellFactory)
        : base(nameof(CustomRecurrent), options, cellFactory)
    {
    }

    /// <summary>Creates a layer whose cells come from <paramref name="cellFactory"/>, called once per layer and direction.</summary>
    /// <param name="cellFactory">Makes the cell for a slot; it must take <see cref="CellSlot.InputSize"/> features and have
    /// <see cref="CellSlot.HiddenSize"/> hidden units, and every cell must have the same state count (1 or 2).</param>
    /// <param name="inputSize">I, the input feature size; at least 1.</param>
    /// <param name="hiddenSize">H, the hidden size; at least 1.</param>
    /// <param name="numLayers">L, stacked layers; at least 1. Default 1.</param>
    /// <param name="batchFirst">Input and output as (N, T, ·). Default false.</param>
    /// <param name="dropout">Dropout between layers in training; in [0, 1). Default 0.</param>
    /// <param name="bidirectional">Add a reverse direction. Default false.</param>
    /// <exception cref="ArgumentException">An option is out of range or a cell does not fit its slot.</exception>
    public static CustomRecurrent Create(Func<CellSlot, RecurrentCell> cellFactory, int inputSize, int hiddenSize, int numLayers = 1,
        bool batchFirst = false, double dropout = 0.0, bool bidirectional = false)
        => new(new RecurrentLayerOptions(inputSize, hiddenSize, numLayers, true, batchFirst, dropout, bidirectional, RecurrentBackend.Composed), cellFactory);

    /// <summary>Creates a layer from an options record, like <see cref="Lstm.Create(RecurrentLayerOptions, TorchSharp.torch.ScalarType?, TorchSharp.torch.Device?)"/>.</summary>
    /// <param name="cellFactory">Makes the cell for a slot; see the other overload.</param>
    /// <param name="options">Sizes and behaviour; validated here. <see cref="RecurrentLayerOptions.Bias"/> is up to the cells;
    /// the backend must be Auto or Composed.</param>
    /// <exception cref="ArgumentException">An option is out of range, the backend is Fused, or a cell does not fit its slot.</exception>
    public static CustomRecurrent Create(Func<CellSlot, RecurrentCell> cellFactory, RecurrentLayerOptions options)
        => new(options ?? throw new ArgumentNullException(nameof(options)), cellFactory);
}
