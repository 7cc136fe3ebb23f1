using RnnMl.Torch.Layers;
using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>The decoder's state between steps: its recurrent state and, with input feeding, the last attentional vector.</summary>
/// <remarks>Shapes: L decoder layers, N batch (sentences × beams), Q the decoder's hidden size.</remarks>
public sealed class DecoderState : IDisposable
{
    /// <summary>Creates a state.</summary>
    /// <param name="recurrent">h (and c) of shape (L, N, Q).</param>
    /// <param name="feed">The previous attentional vector (N, Q) for input feeding; null otherwise.</param>
    public DecoderState(RecurrentState recurrent, Tensor? feed)
    {
        Recurrent = recurrent ?? throw new ArgumentNullException(nameof(recurrent));
        Feed = feed;
    }

    /// <summary>h (and c for LSTM), (L, N, Q).</summary>
    public RecurrentState Recurrent { get; }

    /// <summary>The previous step's attentional vector (N, Q) with input feeding; null otherwise.</summary>
    public Tensor? Feed { get; }

    /// <summary>The states of rows <paramref name="index"/> (beam search reorders hypotheses with it).</summary>
    /// <param name="index">(M) int64 row indices.</param>
    public DecoderState Select(Tensor index)
        => new(new RecurrentState(Recurrent.H.index_select(1, index), Recurrent.C?.index_select(1, index)), Feed?.index_select(0, index));

    /// <summary>Moves the tensors to the enclosing dispose scope.</summary>
    public DecoderState MoveToOuterDisposeScope()
    {
        Recurrent.MoveToOuterDisposeScope();
        Feed?.MoveToOuterDisposeScope();
        return this;
    }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        Recurrent.Dispose();
        Feed?.Dispose();
    }
}
