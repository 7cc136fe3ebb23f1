namespace RnnMl.Torch.Layers;

/// <summary>Which libtorch fused module backs a built-in layer; None for layers of custom cells.</summary>
internal enum FusedKind
{
    /// <summary>Custom cells: composed backend only.</summary>
    None,

    /// <summary><c>torch.nn.RNN</c> (tanh or ReLU).</summary>
    Rnn,

    /// <summary><c>torch.nn.LSTM</c>.</summary>
    Lstm,

    /// <summary><c>torch.nn.GRU</c>.</summary>
    Gru,
}
