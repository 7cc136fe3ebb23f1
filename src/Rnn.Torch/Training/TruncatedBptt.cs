using RnnMl.Torch.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>
/// Truncated backpropagation through time: runs a layer over consecutive chunks of a long sequence, carrying the
/// state from chunk to chunk but cutting the autograd graph (detach) at every chunk boundary, so memory and
/// backward cost stay bounded by the chunk length.
/// </summary>
/// <remarks>
/// Call <see cref="Step"/> once per chunk (compute a loss on its output and call backward before the next chunk), or
/// <see cref="Forward"/> to run a whole sequence in chunks of <see cref="ChunkLength"/> steps at once. The carried
/// forward values are exactly those of one pass over the whole sequence; only gradients stop at the cuts.
/// </remarks>
public sealed class TruncatedBptt : IDisposable
{
    private readonly RecurrentLayer layer;
    private RecurrentState? carried;

    private TruncatedBptt(RecurrentLayer layer, int chunkLength)
    {
        this.layer = layer;
        ChunkLength = chunkLength;
    }

    /// <summary>Creates a runner for <paramref name="layer"/>.</summary>
    /// <param name="layer">The recurrent layer; it is not owned (not disposed here).</param>
    /// <param name="chunkLength">k, steps between cuts; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkLength"/> is below 1.</exception>
    public static TruncatedBptt Create(RecurrentLayer layer, int chunkLength)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (chunkLength < 1)
            throw new ArgumentOutOfRangeException(nameof(chunkLength), chunkLength, $"chunk length must be at least 1, got {chunkLength}");
        // A reverse direction would need the future of the stream, which a chunked pass does not have.
        if (layer.Directions != 1)
            throw new ArgumentException($"truncated BPTT carries state forward in time, so the layer must be unidirectional (1 direction), got {layer.Directions}", nameof(layer));
        return new TruncatedBptt(layer, chunkLength);
    }

    /// <summary>k, the number of steps between graph cuts in <see cref="Forward"/>.</summary>
    public int ChunkLength { get; }

    /// <summary>The detached state carried into the next chunk; null before the first chunk or after <see cref="Reset"/>.</summary>
    public RecurrentState? State => carried;

    /// <summary>Forgets the carried state, so the next chunk starts from zeros (or the state passed to <see cref="Step"/>).</summary>
    public void Reset()
    {
        carried?.Dispose();
        carried = null;
    }

    /// <summary>Runs one chunk from the carried state and keeps its final state, detached, for the next chunk.</summary>
    /// <param name="chunk">(T_chunk, N, I), or (N, T_chunk, I) when the layer is batch-first.</param>
    /// <param name="initialState">Overrides the carried state for this chunk; null to use it.</param>
    /// <returns>The chunk's output, attached to the graph of this chunk only.</returns>
    public Tensor Step(Tensor chunk, RecurrentState? initialState = null)
    {
        var (output, final) = layer.forward(chunk, initialState ?? carried);
        var next = final.Detach().DetachFromDisposeScope();
        final.Dispose();
        carried?.Dispose();
        carried = next;
        return output;
    }

    /// <summary>Runs a whole sequence in chunks of <see cref="ChunkLength"/> steps, cutting the graph between chunks.</summary>
    /// <param name="input">(T, N, I), or (N, T, I) when the layer is batch-first.</param>
    /// <param name="initialState">The state before the first chunk; null for the carried state.</param>
    /// <returns>The outputs of all chunks joined along time, (T, N, D·H) or (N, T, D·H).</returns>
    public Tensor Forward(Tensor input, RecurrentState? initialState = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 3)
            throw new ArgumentException($"input must be 3-D, got {input.dim()}-D", nameof(input));
        int timeDim = layer.BatchFirst ? 1 : 0;
        long steps = input.shape[timeDim];
        var outputs = new List<Tensor>();
        using (var scope = NewDisposeScope())
        {
            for (long start = 0; start < steps; start += ChunkLength)
            {
                long len = Math.Min(ChunkLength, steps - start);
                outputs.Add(Step(input.narrow(timeDim, start, len), start == 0 ? initialState : null));
            }
            return cat(outputs, timeDim).MoveToOuterDisposeScope();
        }
    }

    /// <summary>Disposes the carried state (not the layer).</summary>
    public void Dispose() => Reset();
}
