using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Cells;

/// <summary>
/// One time step of a recurrent network. Every cell, built-in or custom, plugs into the same loop over time
/// (<see cref="Layers.RecurrentLayer"/>), stacking and bidirectional wrappers.
/// </summary>
/// <remarks>
/// Shapes use one glossary throughout RnnMl: N batch, T time, D directions, L layers, H hidden, I input features.
/// <para>
/// A step is split in two so that the loop can run the input-only part of every step as one large matrix product:
/// <see cref="ProjectInput"/> maps inputs of any leading shape (…, I) to (…, P), and <see cref="Step"/> advances the
/// state from one projected input (N, P). A custom cell may leave <see cref="ProjectInput"/> as the identity
/// (P = I) and do all its work in <see cref="Step"/>.
/// </para>
/// </remarks>
public abstract class RecurrentCell : nn.Module
{
    /// <summary>Creates the cell's module shell and checks the sizes.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="inputSize">I, the number of input features; at least 1.</param>
    /// <param name="hiddenSize">H, the size of the hidden state; at least 1.</param>
    protected RecurrentCell(string name, int inputSize, int hiddenSize) : base(name)
    {
        if (inputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, $"input size must be at least 1, got {inputSize}");
        if (hiddenSize < 1)
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, $"hidden size must be at least 1, got {hiddenSize}");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
    }

    /// <summary>I, the number of input features a step takes.</summary>
    public int InputSize { get; }

    /// <summary>H, the size of each state tensor.</summary>
    public int HiddenSize { get; }

    /// <summary>How many (N, H) tensors make up the state: 1 for RNN and GRU (h), 2 for LSTM (h, c). The first is always h, the output.</summary>
    public abstract int StateCount { get; }

    /// <summary>Applies the part of a step that depends on the input only, to any number of steps at once.</summary>
    /// <param name="input">(…, I).</param>
    /// <returns>(…, P), where P is the cell's own projected width. The default returns <paramref name="input"/> itself.</returns>
    public virtual Tensor ProjectInput(Tensor input) => input;

    /// <summary>Advances the state by one step.</summary>
    /// <param name="projected">One step of <see cref="ProjectInput"/>'s output, (N, P).</param>
    /// <param name="state"><see cref="StateCount"/> tensors of shape (N, H), h first.</param>
    /// <returns>The new state, <see cref="StateCount"/> tensors of shape (N, H), h first.</returns>
    public abstract Tensor[] Step(Tensor projected, IReadOnlyList<Tensor> state);

    /// <summary>Re-initialises every parameter. Built-in cells draw from U(-1/√H, 1/√H), like PyTorch.</summary>
    public abstract void ResetParameters();

    /// <summary>Runs one step on raw input, checking shapes first.</summary>
    /// <param name="input">(N, I).</param>
    /// <param name="state"><see cref="StateCount"/> tensors of shape (N, H), h first; null for zeros.</param>
    /// <returns>The new state, h first.</returns>
    /// <exception cref="ArgumentException">A shape, dtype or device does not match the cell.</exception>
    public Tensor[] forward(Tensor input, IReadOnlyList<Tensor>? state = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 2)
            throw new ArgumentException($"cell input must be 2-D (N, I), got {input.dim()}-D of shape {Shape(input)}", nameof(input));
        if (input.shape[1] != InputSize)
            throw new ArgumentException($"input feature size must be {InputSize}, got {input.shape[1]}", nameof(input));
        CheckLike(input, nameof(input));
        long n = input.shape[0];
        Tensor[] s;
        if (state is null)
        {
            s = new Tensor[StateCount];
            for (int k = 0; k < StateCount; k++) s[k] = zeros(n, HiddenSize, input.dtype, input.device);
        }
        else
        {
            if (state.Count != StateCount)
                throw new ArgumentException($"state must have {StateCount} tensor(s), got {state.Count}", nameof(state));
            for (int k = 0; k < StateCount; k++)
            {
                var t = state[k];
                if (t.dim() != 2 || t.shape[0] != n || t.shape[1] != HiddenSize)
                    throw new ArgumentException($"state[{k}] must have shape [{n}, {HiddenSize}], got {Shape(t)}", nameof(state));
                if (t.dtype != input.dtype)
                    throw new ArgumentException($"state[{k}] dtype must be {input.dtype}, got {t.dtype}", nameof(state));
                if (t.device.ToString() != input.device.ToString())
                    throw new ArgumentException($"state[{k}] device must be {input.device}, got {t.device}", nameof(state));
            }
            s = state.ToArray();
        }
        return Step(ProjectInput(input), s);
    }

    /// <summary>Throws when <paramref name="t"/>'s dtype or device differs from the cell's parameters.</summary>
    /// <param name="t">A tensor about to meet the parameters.</param>
    /// <param name="paramName">The argument's name, for the error.</param>
    protected void CheckLike(Tensor t, string paramName)
    {
        var p = parameters().FirstOrDefault();
        if (p is null) return;
        if (t.dtype != p.dtype)
            throw new ArgumentException($"{paramName} dtype must be {p.dtype} (the parameters' dtype), got {t.dtype}", paramName);
        if (t.device.ToString() != p.device.ToString())
            throw new ArgumentException($"{paramName} device must be {p.device} (the parameters' device), got {t.device}", paramName);
    }

    internal static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
