using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Cells;

/// <summary>One step of a long short-term memory network.</summary>
/// <remarks>
/// Gates stacked [i; f; g; o] as in PyTorch's <c>nn.LSTMCell</c>:
/// <code>
/// i = σ(W_ii x + b_ii + W_hi h + b_hi)      input gate
/// f = σ(W_if x + b_if + W_hf h + b_hf)      forget gate
/// g = tanh(W_ig x + b_ig + W_hg h + b_hg)   candidate cell
/// o = σ(W_io x + b_io + W_ho h + b_ho)      output gate
/// c' = f ⊙ c + i ⊙ g
/// h' = o ⊙ tanh(c')
/// </code>
/// Parameters: <c>weight_ih</c> (4H, I), <c>weight_hh</c> (4H, H), <c>bias_ih</c> (4H), <c>bias_hh</c> (4H).
/// The state is [h, c].
/// </remarks>
public sealed class LstmCell : TorchLayoutCell
{
    private LstmCell(int inputSize, int hiddenSize, bool bias, ScalarType? dtype, Device? device)
        : base(nameof(LstmCell), inputSize, hiddenSize, 4, bias, dtype, device)
    {
    }

    internal LstmCell(int inputSize, int hiddenSize, Parameter wIh, Parameter wHh, Parameter? bIh, Parameter? bHh)
        : base(nameof(LstmCell), inputSize, hiddenSize, wIh, wHh, bIh, bHh)
    {
    }

    /// <summary>Creates a cell with freshly initialised parameters.</summary>
    /// <param name="inputSize">I, at least 1.</param>
    /// <param name="hiddenSize">H, at least 1.</param>
    /// <param name="bias">Whether the cell has <c>bias_ih</c> and <c>bias_hh</c>. Default true.</param>
    /// <param name="dtype">Parameter dtype; default torch's default dtype (float32).</param>
    /// <param name="device">Parameter device; default CPU.</param>
    public static LstmCell Create(int inputSize, int hiddenSize, bool bias = true, ScalarType? dtype = null, Device? device = null)
        => new(inputSize, hiddenSize, bias, dtype, device);

    /// <inheritdoc />
    public override int GateCount => 4;

    /// <inheritdoc />
    public override int StateCount => 2;

    /// <summary>W_ih x + b_ih + b_hh for all steps at once: (…, I) → (…, 4H).</summary>
    /// <param name="input">(…, I).</param>
    public override Tensor ProjectInput(Tensor input) => ProjectWithBothBiases(input, weight_ih, bias_ih, bias_hh);

    /// <summary>One LSTM step from the projected input.</summary>
    /// <param name="projected">(N, 4H) from <see cref="ProjectInput"/>.</param>
    /// <param name="state">[h, c], each (N, H).</param>
    /// <returns>[h', c'].</returns>
    public override Tensor[] Step(Tensor projected, IReadOnlyList<Tensor> state)
    {
        using var scope = NewDisposeScope();
        var gates = projected.addmm(state[0], RecurrentWeight.t());
        var chunks = gates.chunk(4, 1);
        var i = chunks[0].sigmoid();
        var f = chunks[1].sigmoid();
        var g = chunks[2].tanh();
        var o = chunks[3].sigmoid();
        var c = (f * state[1]).addcmul_(i, g, PinnedScalars.One);
        var h = o * c.tanh();
        return new[] { h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope() };
    }

    // Both biases are added to every row, so adding them once to the input projection (one op for all T steps)
    // instead of once per step gives the same values and the same gradients.
    internal static Tensor ProjectWithBothBiases(Tensor input, Tensor weightIh, Tensor? biasIh, Tensor? biasHh)
    {
        if (biasIh is null || biasHh is null)
            return nn.functional.linear(input, weightIh, biasIh ?? biasHh);
        using var bias = biasIh.add(biasHh, PinnedScalars.One);
        return nn.functional.linear(input, weightIh, bias);
    }
}
