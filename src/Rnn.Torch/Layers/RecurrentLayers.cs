using RnnMl.Torch.Cells;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>Creates a built-in recurrent layer from a <see cref="RecurrentCellKind"/>, for models that let the user pick the cell.</summary>
public static class RecurrentLayers
{
    /// <summary>Creates an <see cref="Lstm"/>, <see cref="Gru"/> or <see cref="Rnn"/> with the given options.</summary>
    /// <param name="kind">Which cell.</param>
    /// <param name="options">Sizes and behaviour; validated here.</param>
    /// <param name="dtype">Parameter dtype; default torch's default dtype (float32).</param>
    /// <param name="device">Parameter device; default CPU.</param>
    /// <exception cref="ArgumentOutOfRangeException">The kind is not defined or an option is out of range.</exception>
    public static RecurrentLayer Create(RecurrentCellKind kind, RecurrentLayerOptions options, ScalarType? dtype = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return kind switch
        {
            RecurrentCellKind.Lstm => Lstm.Create(options, dtype, device),
            RecurrentCellKind.Gru => Gru.Create(options, dtype, device),
            RecurrentCellKind.Rnn or RecurrentCellKind.RnnRelu => Rnn.Create(options.InputSize, options.HiddenSize, options.NumLayers,
                kind == RecurrentCellKind.Rnn ? RnnNonlinearity.Tanh : RnnNonlinearity.ReLU, options.Bias, options.BatchFirst,
                options.Dropout, options.Bidirectional, options.Backend, dtype, device),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"cell kind must be Lstm, Gru, Rnn or RnnRelu, got {kind}"),
        };
    }
}
