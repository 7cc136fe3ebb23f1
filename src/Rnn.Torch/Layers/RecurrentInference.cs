using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// The scope in which this library runs recurrent layers for inference (prediction, generation, validation): gradient
/// recording stays on and callers detach what they keep, instead of running under no_grad.
/// </summary>
/// <remarks>
/// Under no_grad, libtorch 2 (TorchSharp 0.107, CPU) runs float32 LSTM/GRU through a separate inference kernel whose
/// outputs are wrong for some hidden sizes on this project's machines: hidden 8, 16 and 48 differ from the training
/// kernel, and from our step-by-step cells, by 0.06–0.25, while 24, 32, 64, 128 and 256 agree. Inside this scope the
/// layers use the kernel that training uses and the parity tests check. Disposing it restores the previous mode.
/// </remarks>
public static class RecurrentInference
{
    /// <summary>Opens the scope; dispose it to return to the previous gradient mode.</summary>
    public static IDisposable Scope() => enable_grad();
}
