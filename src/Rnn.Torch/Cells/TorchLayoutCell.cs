using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Cells;

/// <summary>
/// Base of the built-in cells (<see cref="RnnCell"/>, <see cref="LstmCell"/>, <see cref="GruCell"/>): the four
/// parameters of PyTorch's layout, which is also what lets a layer run them on libtorch's fused kernels.
/// </summary>
/// <remarks>
/// <c>weight_ih</c> is (G·H, I), <c>weight_hh</c> is (G·H, H), <c>bias_ih</c> and <c>bias_hh</c> are (G·H) each, where
/// G is <see cref="GateCount"/> and the gate blocks are stacked in PyTorch's order. Custom cells derive from
/// <see cref="RecurrentCell"/> instead.
/// </remarks>
public abstract class TorchLayoutCell : RecurrentCell
{
    private protected TorchLayoutCell(string name, int inputSize, int hiddenSize, int gateCount, bool bias, ScalarType? dtype, Device? device)
        : base(name, inputSize, hiddenSize)
    {
        var dt = dtype ?? get_default_dtype();
        if (!Dtypes.IsFloat(dt))
            throw new ArgumentException($"dtype must be a floating-point type, got {dt}", nameof(dtype));
        long rows = (long)gateCount * hiddenSize;
        weight_ih = new Parameter(empty(rows, inputSize, dt, device));
        weight_hh = new Parameter(empty(rows, hiddenSize, dt, device));
        bias_ih = bias ? new Parameter(empty(rows, dt, device)) : null;
        bias_hh = bias ? new Parameter(empty(rows, dt, device)) : null;
        RegisterParameters();
        ResetParameters();
    }

    /// <summary>Wraps parameters that a layer already owns (shared with its fused kernel); registers nothing.</summary>
    private protected TorchLayoutCell(string name, int inputSize, int hiddenSize, Parameter weightIh, Parameter weightHh, Parameter? biasIh, Parameter? biasHh)
        : base(name, inputSize, hiddenSize)
    {
        weight_ih = weightIh;
        weight_hh = weightHh;
        bias_ih = biasIh;
        bias_hh = biasHh;
    }

    // The setters are for Module.to(): it converts a parameter by making a new Parameter and assigning it through the
    // public property of the same name, found by reflection on the derived cell type; it throws "Property set method
    // not found" when there is no setter, or only a private one (invisible from the derived type).

    /// <summary>Input-to-hidden weights, (G·H, I), gate blocks stacked in PyTorch's order.</summary>
    public Parameter weight_ih { get; private protected set => field = Replace(nameof(weight_ih), field, value)!; }

    /// <summary>Hidden-to-hidden weights, (G·H, H).</summary>
    public Parameter weight_hh { get; private protected set => field = Replace(nameof(weight_hh), field, value)!; }

    /// <summary>Input-to-hidden bias, (G·H); null when the cell has no bias.</summary>
    public Parameter? bias_ih { get; private protected set => field = Replace(nameof(bias_ih), field, value); }

    /// <summary>Hidden-to-hidden bias, (G·H); null when the cell has no bias.</summary>
    public Parameter? bias_hh { get; private protected set => field = Replace(nameof(bias_hh), field, value); }

    /// <summary>When <paramref name="name"/> is registered here (the cell owns it), registers the new parameter in its place and disposes the old one.</summary>
    private Parameter? Replace(string name, Parameter? old, Parameter? value)
    {
        if (old is null || ReferenceEquals(old, value) || !named_parameters(false).Any(p => p.name == name)) return value;
        ConditionallyRegisterParameter(name, value);
        old.Dispose();
        return value;
    }

    /// <summary>G, the number of gate blocks stacked in the weights: 1 for RNN, 4 for LSTM, 3 for GRU.</summary>
    public abstract int GateCount { get; }

    /// <summary>The hidden-to-hidden weight that <c>Step</c> uses: <see cref="weight_hh"/>, or the weight-dropped copy a
    /// layer sets for the length of one forward call (see <see cref="Layers.RecurrentLayerOptions.WeightDropout"/>).</summary>
    internal Tensor RecurrentWeight => recurrentWeightOverride ?? weight_hh;

    /// <summary>Set by <see cref="Layers.WeightDrop"/> before a time loop and cleared after it; null otherwise.</summary>
    internal Tensor? recurrentWeightOverride;

    /// <summary>Draws every weight and bias from U(-1/√H, 1/√H), like PyTorch.</summary>
    public override void ResetParameters()
    {
        double k = 1.0 / Math.Sqrt(HiddenSize);
        using var _ = no_grad();
        weight_ih.uniform_(-k, k);
        weight_hh.uniform_(-k, k);
        bias_ih?.uniform_(-k, k);
        bias_hh?.uniform_(-k, k);
    }

    private void RegisterParameters()
    {
        register_parameter("weight_ih", weight_ih);
        register_parameter("weight_hh", weight_hh);
        if (bias_ih is not null) register_parameter("bias_ih", bias_ih);
        if (bias_hh is not null) register_parameter("bias_hh", bias_hh);
    }
}
