using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Cells;

/// <summary>One step of a plain (Elman) recurrent network.</summary>
/// <remarks>
/// h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or ReLU. Parameters: <c>weight_ih</c> (H, I),
/// <c>weight_hh</c> (H, H), <c>bias_ih</c> (H), <c>bias_hh</c> (H), as in PyTorch's <c>nn.RNNCell</c>.
/// </remarks>
public sealed class RnnCell : TorchLayoutCell
{
    private RnnCell(int inputSize, int hiddenSize, bool bias, RnnNonlinearity nonlinearity, ScalarType? dtype, Device? device)
        : base(nameof(RnnCell), inputSize, hiddenSize, 1, bias, dtype, device)
    {
        Nonlinearity = nonlinearity;
    }

    internal RnnCell(int inputSize, int hiddenSize, RnnNonlinearity nonlinearity, Parameter wIh, Parameter wHh, Parameter? bIh, Parameter? bHh)
        : base(nameof(RnnCell), inputSize, hiddenSize, wIh, wHh, bIh, bHh)
    {
        Nonlinearity = nonlinearity;
    }

    /// <summary>Creates a cell with freshly initialised parameters.</summary>
    /// <param name="inputSize">I, at least 1.</param>
    /// <param name="hiddenSize">H, at least 1.</param>
    /// <param name="bias">Whether the cell has <c>bias_ih</c> and <c>bias_hh</c>. Default true.</param>
    /// <param name="nonlinearity">tanh (default) or ReLU.</param>
    /// <param name="dtype">Parameter dtype; default torch's default dtype (float32).</param>
    /// <param name="device">Parameter device; default CPU.</param>
    public static RnnCell Create(int inputSize, int hiddenSize, bool bias = true, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh,
        ScalarType? dtype = null, Device? device = null)
        => new(inputSize, hiddenSize, bias, nonlinearity, dtype, device);

    /// <summary>The activation, tanh or ReLU.</summary>
    public RnnNonlinearity Nonlinearity { get; }

    /// <inheritdoc />
    public override int GateCount => 1;

    /// <inheritdoc />
    public override int StateCount => 1;

    /// <summary>W_ih x + b_ih + b_hh for all steps at once: (…, I) → (…, H).</summary>
    /// <param name="input">(…, I).</param>
    public override Tensor ProjectInput(Tensor input) => LstmCell.ProjectWithBothBiases(input, weight_ih, bias_ih, bias_hh);

    /// <summary>h' = act(projected + W_hh h).</summary>
    /// <param name="projected">(N, H) from <see cref="ProjectInput"/>.</param>
    /// <param name="state">[h], (N, H).</param>
    public override Tensor[] Step(Tensor projected, IReadOnlyList<Tensor> state)
    {
        using var pre = projected.addmm(state[0], RecurrentWeight.t());
        return new[] { Nonlinearity == RnnNonlinearity.Tanh ? pre.tanh() : pre.relu() };
    }
}
