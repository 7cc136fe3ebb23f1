namespace RnnMl.Torch.Layers;

/// <summary>The shape and behaviour of a recurrent layer; checked when the layer is built.</summary>
/// <param name="InputSize">I, the input feature size; at least 1.</param>
/// <param name="HiddenSize">H, the hidden size; at least 1.</param>
/// <param name="NumLayers">L, stacked layers; at least 1. Default 1.</param>
/// <param name="Bias">Whether cells have biases. Default true.</param>
/// <param name="BatchFirst">Input and output as (N, T, ·) instead of (T, N, ·). Default false, like PyTorch.</param>
/// <param name="Dropout">Dropout on the output of every layer but the top one, in training only; in [0, 1). Default 0.</param>
/// <param name="Bidirectional">Run a second, reverse direction in every layer. Default false.</param>
/// <param name="Backend">Which implementation runs the layer. Default <see cref="RecurrentBackend.Auto"/>.</param>
public sealed record RecurrentLayerOptions(
    int InputSize,
    int HiddenSize,
    int NumLayers = 1,
    bool Bias = true,
    bool BatchFirst = false,
    double Dropout = 0.0,
    bool Bidirectional = false,
    RecurrentBackend Backend = RecurrentBackend.Auto)
{
    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range; returns this.</summary>
    public RecurrentLayerOptions Validate()
    {
        if (InputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(InputSize), InputSize, $"input size must be at least 1, got {InputSize}");
        if (HiddenSize < 1)
            throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize, $"hidden size must be at least 1, got {HiddenSize}");
        if (NumLayers < 1)
            throw new ArgumentOutOfRangeException(nameof(NumLayers), NumLayers, $"number of layers must be at least 1, got {NumLayers}");
        if (!(Dropout >= 0.0 && Dropout < 1.0))
            throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, $"dropout must be in [0, 1), got {Dropout}");
        if (!Enum.IsDefined(Backend))
            throw new ArgumentOutOfRangeException(nameof(Backend), Backend, $"backend must be Auto, Composed, Fused, FusedRagged or ComposedGemm, got {Backend}");
        return this;
    }
}
