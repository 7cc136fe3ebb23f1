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
/// <param name="WeightDropout">DropConnect on the hidden-to-hidden weights W_hh (AWD-LSTM weight drop, Merity et al. 2018):
/// in training, one Bernoulli mask per W_hh per forward call, shared by every time step and every sequence of the batch,
/// kept weights scaled by 1/(1 − p); none in evaluation. Built-in cells only; training then runs the composed backend
/// (so Fused and FusedRagged are refused). In [0, 1). Default 0.</param>
public sealed record RecurrentLayerOptions(
    int InputSize,
    int HiddenSize,
    int NumLayers = 1,
    bool Bias = true,
    bool BatchFirst = false,
    double Dropout = 0.0,
    bool Bidirectional = false,
    RecurrentBackend Backend = RecurrentBackend.Auto,
    double WeightDropout = 0.0)
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
        if (!(WeightDropout >= 0.0 && WeightDropout < 1.0))
            throw new ArgumentOutOfRangeException(nameof(WeightDropout), WeightDropout, $"weight dropout must be in [0, 1), got {WeightDropout}");
        if (WeightDropout > 0 && Backend is RecurrentBackend.Fused or RecurrentBackend.FusedRagged or RecurrentBackend.ComposedGemm)
            throw new ArgumentException($"weight dropout {WeightDropout} masks W_hh inside our own time loop, which the {Backend} backend does not run; use Auto or Composed (Auto trains with Composed when weight dropout is on)", nameof(WeightDropout));
        if (!Enum.IsDefined(Backend))
            throw new ArgumentOutOfRangeException(nameof(Backend), Backend, $"backend must be Auto, Composed, Fused, FusedRagged or ComposedGemm, got {Backend}");
        return this;
    }
}
