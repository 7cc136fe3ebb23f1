using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>What the decoder needs from the encoder for a batch of N source sentences; produced by <see cref="Seq2SeqModel.Encode"/>.</summary>
/// <remarks>Shapes: N batch, S source steps, E encoder output size, Q the decoder's hidden size.</remarks>
public sealed class EncoderMemory : IDisposable
{
    internal EncoderMemory(Tensor outputs, Tensor? keys, Tensor valid, Tensor lengths)
    {
        Outputs = outputs;
        Keys = keys;
        Valid = valid;
        Lengths = lengths;
    }

    /// <summary>Encoder outputs (N, S, E); zero at padded steps.</summary>
    public Tensor Outputs { get; }

    /// <summary>The attention's precomputed keys (N, S, Q); null without attention.</summary>
    public Tensor? Keys { get; }

    /// <summary>(N, S) Boolean, true at real source steps.</summary>
    public Tensor Valid { get; }

    /// <summary>Source lengths (N) int64.</summary>
    public Tensor Lengths { get; }

    /// <summary>The memory of the sentences <paramref name="index"/> (e.g. each sentence repeated once per beam).</summary>
    /// <param name="index">(M) int64 indices into the batch.</param>
    public EncoderMemory Select(Tensor index)
        => new(Outputs.index_select(0, index), Keys?.index_select(0, index), Valid.index_select(0, index), Lengths.index_select(0, index.to(Lengths.device)));

    /// <summary>Moves the tensors to the enclosing dispose scope.</summary>
    public EncoderMemory MoveToOuterDisposeScope()
    {
        Outputs.MoveToOuterDisposeScope();
        Keys?.MoveToOuterDisposeScope();
        Valid.MoveToOuterDisposeScope();
        Lengths.MoveToOuterDisposeScope();
        return this;
    }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        Outputs.Dispose();
        Keys?.Dispose();
        Valid.Dispose();
        Lengths.Dispose();
    }
}
