using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>The state a recurrent layer starts from or ends with, in PyTorch's layout.</summary>
/// <remarks>
/// <see cref="H"/> (and <see cref="C"/> for LSTM) is (L·D, N, H) whatever the layer's batch-first setting;
/// index = layer·D + direction, so index L·D−2 is the top layer's forward state and L·D−1 its reverse state.
/// </remarks>
public sealed class RecurrentState : IDisposable
{
    /// <summary>Creates a state.</summary>
    /// <param name="h">Hidden state h, (L·D, N, H).</param>
    /// <param name="c">Cell state c, (L·D, N, H), for LSTM; null otherwise.</param>
    public RecurrentState(Tensor h, Tensor? c = null)
    {
        H = h ?? throw new ArgumentNullException(nameof(h));
        C = c;
    }

    /// <summary>Hidden state h, (L·D, N, H).</summary>
    public Tensor H { get; }

    /// <summary>Cell state c, (L·D, N, H); LSTM only, otherwise null.</summary>
    public Tensor? C { get; }

    /// <summary>A copy cut from the autograd graph, for carrying state across chunks (truncated BPTT).</summary>
    public RecurrentState Detach() => new(H.detach(), C?.detach());

    /// <summary>Moves the tensors to the enclosing dispose scope, so they outlive the current one.</summary>
    public RecurrentState MoveToOuterDisposeScope()
    {
        H.MoveToOuterDisposeScope();
        C?.MoveToOuterDisposeScope();
        return this;
    }

    /// <summary>Takes the tensors out of any dispose scope; the caller disposes them.</summary>
    public RecurrentState DetachFromDisposeScope()
    {
        H.DetachFromDisposeScope();
        C?.DetachFromDisposeScope();
        return this;
    }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        H.Dispose();
        C?.Dispose();
    }
}
