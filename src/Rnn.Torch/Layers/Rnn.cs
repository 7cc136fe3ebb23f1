using RnnMl.Torch.Cells;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// A stacked, optionally bidirectional plain (Elman) recurrent layer, h' = act(W_ih x + b_ih + W_hh h + b_hh), like
/// PyTorch's <c>nn.RNN</c> and with its parameter names and shapes. One step is <see cref="RnnCell"/>; see
/// <see cref="RecurrentLayer"/> for shapes.
/// </summary>
/// <example>
/// <code>
/// using var rnn = Rnn.Create(inputSize: 7, hiddenSize: 16, batchFirst: true); // h_t = tanh(W_ih x_t + b_ih + W_hh h_(t−1) + b_hh)
/// var (output, state) = rnn.forward(torch.randn(4, 10, 7));
/// </code>
/// </example>
public sealed class Rnn : RecurrentLayer
{
    private Rnn(RecurrentLayerOptions options, RnnNonlinearity nonlinearity, ScalarType? dtype, Device? device)
        : base(nameof(Rnn), options, FusedKind.Rnn, nonlinearity, dtype, device)
    {
        Nonlinearity = nonlinearity;
    }

    /// <summary>The activation, tanh or ReLU.</summary>
    public RnnNonlinearity Nonlinearity { get; }

    /// <summary>Creates the layer with freshly initialised parameters, U(-1/√H, 1/√H).</summary>
    /// <param name="inputSize">I, the input feature size; at least 1.</param>
    /// <param name="hiddenSize">H, the hidden size; at least 1.</param>
    /// <param name="numLayers">L, stacked layers; at least 1. Default 1.</param>
    /// <param name="nonlinearity">tanh (default) or ReLU.</param>
    /// <param name="bias">Whether cells have biases. Default true.</param>
    /// <param name="batchFirst">Input and output as (N, T, ·). Default false.</param>
    /// <param name="dropout">Dropout between layers in training; in [0, 1). Default 0.</param>
    /// <param name="bidirectional">Add a reverse direction. Default false.</param>
    /// <param name="backend">Fused, composed, or Auto (fused). Default Auto.</param>
    /// <param name="dtype">Parameter dtype; default torch's default dtype (float32).</param>
    /// <param name="device">Parameter device; default CPU.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static Rnn Create(int inputSize, int hiddenSize, int numLayers = 1, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh,
        bool bias = true, bool batchFirst = false, double dropout = 0.0, bool bidirectional = false,
        RecurrentBackend backend = RecurrentBackend.Auto, ScalarType? dtype = null, Device? device = null)
    {
        if (!Enum.IsDefined(nonlinearity))
            throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, $"nonlinearity must be Tanh or ReLU, got {nonlinearity}");
        return new(new RecurrentLayerOptions(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, backend), nonlinearity, dtype, device);
    }
}
