using RnnMl.Torch.Cells;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// A stacked, optionally bidirectional layer of a gated recurrent unit network (gates r, z, n; state h), like PyTorch's <c>nn.GRU</c> and with its parameter
/// names, gate order and shapes. One step is <see cref="GruCell"/>; see <see cref="RecurrentLayer"/> for shapes.
/// </summary>
/// <example>
/// <code>
/// using var gru = Gru.Create(inputSize: 7, hiddenSize: 16, batchFirst: true);
/// var (output, state) = gru.forward(torch.randn(4, 10, 7)); // output (4, 10, 16), state.H (1, 4, 16)
/// </code>
/// </example>
public sealed class Gru : RecurrentLayer
{
    private Gru(RecurrentLayerOptions options, ScalarType? dtype, Device? device)
        : base(nameof(Gru), options, FusedKind.Gru, RnnNonlinearity.Tanh, dtype, device)
    {
    }

    /// <summary>Creates the layer with freshly initialised parameters, U(-1/√H, 1/√H).</summary>
    /// <param name="inputSize">I, the input feature size; at least 1.</param>
    /// <param name="hiddenSize">H, the hidden size; at least 1.</param>
    /// <param name="numLayers">L, stacked layers; at least 1. Default 1.</param>
    /// <param name="bias">Whether cells have biases. Default true.</param>
    /// <param name="batchFirst">Input and output as (N, T, ·). Default false.</param>
    /// <param name="dropout">Dropout between layers in training; in [0, 1). Default 0.</param>
    /// <param name="bidirectional">Add a reverse direction. Default false.</param>
    /// <param name="backend">Fused, composed, or Auto (fused). Default Auto.</param>
    /// <param name="dtype">Parameter dtype; default torch's default dtype (float32).</param>
    /// <param name="device">Parameter device; default CPU.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static Gru Create(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false,
        double dropout = 0.0, bool bidirectional = false, RecurrentBackend backend = RecurrentBackend.Auto,
        ScalarType? dtype = null, Device? device = null)
        => new(new RecurrentLayerOptions(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, backend), dtype, device);

    /// <summary>Creates the layer from an options record.</summary>
    /// <param name="options">Sizes and behaviour; validated here.</param>
    /// <param name="dtype">Parameter dtype; default torch's default dtype (float32).</param>
    /// <param name="device">Parameter device; default CPU.</param>
    public static Gru Create(RecurrentLayerOptions options, ScalarType? dtype = null, Device? device = null)
        => new(options ?? throw new ArgumentNullException(nameof(options)), dtype, device);
}
