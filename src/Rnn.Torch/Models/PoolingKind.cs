namespace RnnMl.Torch.Models;

/// <summary>How a classifier turns the encoder's outputs over time into one vector; every kind looks at valid steps only.</summary>
public enum PoolingKind
{
    /// <summary>The final states: the top layer's forward state at each sequence's last valid step (and, when bidirectional, its reverse state at step 0). Width D·H.</summary>
    Last,

    /// <summary>The mean of the outputs over valid steps. Width D·H.</summary>
    Mean,

    /// <summary>The element-wise maximum of the outputs over valid steps. Width D·H.</summary>
    Max,

    /// <summary>Mean and max side by side. Width 2·D·H. The default.</summary>
    MeanMax,

    /// <summary>Additive self-attention: a = softmax_t(vᵀ tanh(W o_t + b)) over valid steps, pooled Σ a_t o_t. Width D·H.</summary>
    Attention,
}
