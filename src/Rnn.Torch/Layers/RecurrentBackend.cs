namespace RnnMl.Torch.Layers;

/// <summary>Which implementation runs a recurrent layer. Both give the same numbers (within float rounding).</summary>
public enum RecurrentBackend
{
    /// <summary>Fused whenever the configuration allows it (built-in cells), composed otherwise. The default.</summary>
    Auto,

    /// <summary>Our cells stepped over time with autograd; works for every cell, including custom ones.</summary>
    Composed,

    /// <summary>libtorch's fused <c>nn.RNN</c>/<c>nn.LSTM</c>/<c>nn.GRU</c> kernels on the same parameters; built-in cells only.</summary>
    Fused,
}
