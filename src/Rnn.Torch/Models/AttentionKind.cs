namespace RnnMl.Torch.Models;

/// <summary>How a <see cref="Seq2SeqModel"/>'s decoder looks at the encoded source.</summary>
public enum AttentionKind
{
    /// <summary>No attention: the decoder sees the source only through its initial state (the bridge).</summary>
    None,

    /// <summary>Additive attention (Bahdanau et al., 2015): score = vᵀ tanh(W_k e_s + W_q s_{t−1}), queried with the previous decoder state; the context is fed into the decoder's input.</summary>
    Bahdanau,

    /// <summary>Multiplicative attention (Luong et al., 2015), dot: score = h_tᵀ e_s, queried with the current decoder output. Needs the decoder's hidden size to equal the encoder's output size D·H.</summary>
    LuongDot,

    /// <summary>Multiplicative attention (Luong et al., 2015), general: score = h_tᵀ W_a e_s.</summary>
    LuongGeneral,
}
