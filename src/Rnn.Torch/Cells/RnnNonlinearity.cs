namespace RnnMl.Torch.Cells;

/// <summary>The activation of a plain (Elman) RNN cell.</summary>
public enum RnnNonlinearity
{
    /// <summary>h' = tanh(W_ih x + b_ih + W_hh h + b_hh). PyTorch's default.</summary>
    Tanh,

    /// <summary>h' = max(0, W_ih x + b_ih + W_hh h + b_hh).</summary>
    ReLU,
}
