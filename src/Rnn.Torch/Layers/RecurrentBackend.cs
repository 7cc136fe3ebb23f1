namespace RnnMl.Torch.Layers;

/// <summary>Which implementation runs a recurrent layer. All give the same numbers (within float rounding).</summary>
public enum RecurrentBackend
{
    /// <summary>
    /// The default: for built-in cells, the backend the <c>recurrent</c> benchmark measured fastest for the cell kind
    /// and the kind of call (training or inference, full-length or ragged batch), see
    /// <see cref="RecurrentLayer.ResolveBackend"/>; composed for custom cells.
    /// </summary>
    Auto,

    /// <summary>Our cells stepped over time with autograd; works for every cell, including custom ones.</summary>
    Composed,

    /// <summary>libtorch's fused <c>nn.RNN</c>/<c>nn.LSTM</c>/<c>nn.GRU</c> kernels on the same parameters; batches with
    /// lengths go through pack_padded_sequence. Built-in cells only.</summary>
    Fused,

    /// <summary>libtorch's fused kernels on the padded batch, also with lengths: no packing. The sequences are sorted by
    /// length once per call and time is cut into a few segments (chosen to minimise rows × steps plus a per-call cost),
    /// each run only on the sequences still alive; the reverse direction runs on each sequence reversed within its own
    /// length; final states are each sequence's own (LSTM c recomputed exactly where a sequence ends inside a segment);
    /// padded outputs are zero. Same as <see cref="Fused"/> on full-length batches. Built-in cells only.</summary>
    FusedRagged,

    /// <summary>Built-in LSTM cells only: the composed loop with each direction of each layer run as one autograd node
    /// whose hand-written backward computes only the gate gradients step by step, then dW_hh with one matrix product
    /// over all steps (and, through the input projection's backward, dW_ih, the biases and dx with one product each),
    /// as cuDNN does. Same values as <see cref="Composed"/>; also with lengths.</summary>
    ComposedGemm,
}
