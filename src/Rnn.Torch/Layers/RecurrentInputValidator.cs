using RnnMl.Torch.Cells;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>Checks a <see cref="RecurrentLayer.forward"/> call's input, initial state and lengths against the layer.</summary>
internal static class RecurrentInputValidator
{
    /// <summary>Throws an ArgumentException naming the first argument that does not fit; returns the lengths as an array,
    /// or null when there are none or every sequence has all T steps.</summary>
    public static long[]? Validate(RecurrentLayer layer, Tensor input, RecurrentState? state, Tensor? lengths)
    {
        ArgumentNullException.ThrowIfNull(input);
        string layout = layer.BatchFirst ? "(N, T, I)" : "(T, N, I)";
        if (input.dim() != 3)
            throw new ArgumentException($"input must be 3-D {layout}, got {input.dim()}-D of shape {RecurrentCell.Shape(input)}", nameof(input));
        if (input.shape[2] != layer.InputSize)
            throw new ArgumentException($"input feature size must be {layer.InputSize}, got {input.shape[2]}", nameof(input));
        long t = input.shape[layer.BatchFirst ? 1 : 0];
        long n = input.shape[layer.BatchFirst ? 0 : 1];
        if (t < 1)
            throw new ArgumentException($"input must have at least 1 time step, got {t}", nameof(input));
        if (n < 1)
            throw new ArgumentException($"input must have at least 1 sequence, got {n}", nameof(input));
        var reference = layer.parameters().First();
        if (input.dtype != reference.dtype)
            throw new ArgumentException($"input dtype must be {reference.dtype} (the parameters' dtype), got {input.dtype}", nameof(input));
        if (input.device.ToString() != reference.device.ToString())
            throw new ArgumentException($"input device must be {reference.device} (the parameters' device), got {input.device}", nameof(input));

        if (state is not null)
        {
            CheckState(layer, state.H, "h_0", n, reference);
            if (layer.StateCount == 2)
            {
                if (state.C is null)
                    throw new ArgumentException("an LSTM initial state needs both h_0 and c_0, got no c_0", nameof(state));
                CheckState(layer, state.C, "c_0", n, reference);
            }
            else if (state.C is not null)
            {
                throw new ArgumentException($"this layer's state is h only, got a cell state c_0 of shape {RecurrentCell.Shape(state.C)}", nameof(state));
            }
        }

        if (lengths is null) return null;
        if (lengths.dim() != 1)
            throw new ArgumentException($"lengths must be 1-D (N), got {lengths.dim()}-D of shape {RecurrentCell.Shape(lengths)}", nameof(lengths));
        if (lengths.shape[0] != n)
            throw new ArgumentException($"lengths must have one entry per sequence ({n}), got {lengths.shape[0]}", nameof(lengths));
        if (!Dtypes.IsInteger(lengths.dtype))
            throw new ArgumentException($"lengths must be an integer tensor, got {lengths.dtype}", nameof(lengths));
        using var cpu = lengths.to(ScalarType.Int64, CPU);
        var values = cpu.data<long>().ToArray();
        bool allFull = true;
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] < 1 || values[i] > t)
                throw new ArgumentOutOfRangeException(nameof(lengths), values[i], $"lengths must be between 1 and T = {t}, got {values[i]} at index {i}");
            allFull &= values[i] == t;
        }
        return allFull ? null : values;
    }

    private static void CheckState(RecurrentLayer layer, Tensor s, string name, long n, Tensor reference)
    {
        long rows = (long)layer.NumLayers * layer.Directions;
        if (s.dim() != 3 || s.shape[0] != rows || s.shape[1] != n || s.shape[2] != layer.HiddenSize)
            throw new ArgumentException($"initial {name} shape must be [{rows}, {n}, {layer.HiddenSize}] (L·D, N, H), got {RecurrentCell.Shape(s)}", "state");
        if (s.dtype != reference.dtype)
            throw new ArgumentException($"initial {name} dtype must be {reference.dtype}, got {s.dtype}", "state");
        if (s.device.ToString() != reference.device.ToString())
            throw new ArgumentException($"initial {name} device must be {reference.device}, got {s.device}", "state");
    }
}
