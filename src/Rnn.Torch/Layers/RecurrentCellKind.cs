namespace RnnMl.Torch.Layers;

/// <summary>The built-in cell a model's recurrent layers use.</summary>
public enum RecurrentCellKind
{
    /// <summary>Long short-term memory (<see cref="Lstm"/>). The default in models.</summary>
    Lstm,

    /// <summary>Gated recurrent unit (<see cref="Gru"/>).</summary>
    Gru,

    /// <summary>Plain RNN with tanh (<see cref="Rnn"/>).</summary>
    Rnn,

    /// <summary>Plain RNN with ReLU (<see cref="Rnn"/>).</summary>
    RnnRelu,
}
