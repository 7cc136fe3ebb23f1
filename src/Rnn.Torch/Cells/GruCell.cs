using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Cells;

/// <summary>One step of a gated recurrent unit.</summary>
/// <remarks>
/// Gates stacked [r; z; n] as in PyTorch's <c>nn.GRUCell</c>:
/// <code>
/// r = σ(W_ir x + b_ir + W_hr h + b_hr)          reset gate
/// z = σ(W_iz x + b_iz + W_hz h + b_hz)          update gate
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) candidate (the reset gate acts after the recurrent bias)
/// h' = (1 − z) ⊙ n + z ⊙ h
/// </code>
/// Parameters: <c>weight_ih</c> (3H, I), <c>weight_hh</c> (3H, H), <c>bias_ih</c> (3H), <c>bias_hh</c> (3H).
/// </remarks>
public sealed class GruCell : TorchLayoutCell
{
    private GruCell(int inputSize, int hiddenSize, bool bias, ScalarType? dtype, Device? device)
        : base(nameof(GruCell), inputSize, hiddenSize, 3, bias, dtype, device)
    {
    }

    internal GruCell(int inputSize, int hiddenSize, Parameter wIh, Parameter wHh, Parameter? bIh, Parameter? bHh)
        : base(nameof(GruCell), inputSize, hiddenSize, wIh, wHh, bIh, bHh)
    {
    }

    /// <summary>Creates a cell with freshly initialised parameters.</summary>
    /// <param name="inputSize">I, at least 1.</param>
    /// <param name="hiddenSize">H, at least 1.</param>
    /// <param name="bias">Whether the cell has <c>bias_ih</c> and <c>bias_hh</c>. Default true.</param>
    /// <param name="dtype">Parameter dtype; default torch's default dtype (float32).</param>
    /// <param name="device">Parameter device; default CPU.</param>
    public static GruCell Create(int inputSize, int hiddenSize, bool bias = true, ScalarType? dtype = null, Device? device = null)
        => new(inputSize, hiddenSize, bias, dtype, device);

    /// <inheritdoc />
    public override int GateCount => 3;

    /// <inheritdoc />
    public override int StateCount => 1;

    /// <summary>W_ih x + b_ih for all steps at once: (…, I) → (…, 3H). b_hh stays in the step because of the reset gate.</summary>
    /// <param name="input">(…, I).</param>
    public override Tensor ProjectInput(Tensor input) => nn.functional.linear(input, weight_ih, bias_ih);

    /// <summary>One GRU step from the projected input.</summary>
    /// <param name="projected">(N, 3H) from <see cref="ProjectInput"/>.</param>
    /// <param name="state">[h], (N, H).</param>
    /// <returns>[h'].</returns>
    public override Tensor[] Step(Tensor projected, IReadOnlyList<Tensor> state)
    {
        using var scope = NewDisposeScope();
        var h = state[0];
        long hs = HiddenSize;
        var hh = nn.functional.linear(h, RecurrentWeight, bias_hh);
        var rz = projected.narrow(1, 0, 2 * hs).add(hh.narrow(1, 0, 2 * hs), PinnedScalars.One).sigmoid_();
        var r = rz.narrow(1, 0, hs);
        var z = rz.narrow(1, hs, hs);
        var n = projected.narrow(1, 2 * hs, hs).addcmul(r, hh.narrow(1, 2 * hs, hs), PinnedScalars.One).tanh_();
        // (1 − z) ⊙ n + z ⊙ h, written as n + z ⊙ (h − n) to save two kernels.
        var next = n.addcmul(z, h - n, PinnedScalars.One);
        return new[] { next.MoveToOuterDisposeScope() };
    }
}
