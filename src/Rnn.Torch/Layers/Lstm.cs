using RnnMl.Torch.Cells;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// A stacked, optionally bidirectional layer of a long short-term memory network (gates i, f, g, o; state h and c), like PyTorch's <c>nn.LSTM</c> and with its parameter
/// names, gate order and shapes. One step is <see cref="LstmCell"/>; see <see cref="RecurrentLayer"/> for shapes.
/// </summary>
/// <example>
/// <code>
/// using var lstm = Lstm.Create(inputSize: 7, hiddenSize: 16, numLayers: 2, batchFirst: true, bidirectional: true);
/// var (output, state) = lstm.forward(torch.randn(4, 10, 7), lengths: torch.tensor(new long[] { 10, 7, 3, 1 }));
/// // output (N=4, T=10, D·H=32), zero after each sequence's length; state.H and state.C (D·L=4, N=4, H=16)
/// </code>
/// </example>
public sealed class Lstm : RecurrentLayer
{
    private Lstm(RecurrentLayerOptions options, ScalarType? dtype, Device? device)
        : base(nameof(Lstm), options, FusedKind.Lstm, RnnNonlinearity.Tanh, dtype, device)
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
    public static Lstm Create(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false,
        double dropout = 0.0, bool bidirectional = false, RecurrentBackend backend = RecurrentBackend.Auto,
        ScalarType? dtype = null, Device? device = null)
        => new(new RecurrentLayerOptions(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, backend), dtype, device);

    /// <summary>Creates the layer from an options record.</summary>
    /// <param name="options">Sizes and behaviour; validated here.</param>
    /// <param name="dtype">Parameter dtype; default torch's default dtype (float32).</param>
    /// <param name="device">Parameter device; default CPU.</param>
    public static Lstm Create(RecurrentLayerOptions options, ScalarType? dtype = null, Device? device = null)
        => new(options ?? throw new ArgumentNullException(nameof(options)), dtype, device);
}
