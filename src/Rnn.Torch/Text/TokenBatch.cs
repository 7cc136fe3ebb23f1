using static TorchSharp.torch;
using RnnMl.Text;

namespace RnnMl.Torch.Text;

/// <summary>Pads token-id sequences into one batch tensor (the layout of <see cref="PaddedBatch"/>, as tensors).</summary>
public static class TokenBatch
{
    /// <summary>Pads sequences to the longest one. An empty sequence becomes a single <see cref="Vocabulary.PaddingId"/>
    /// step of length 1, so every sequence has at least one step (the model then sees "nothing").</summary>
    /// <param name="sequences">Token ids, N sequences.</param>
    /// <param name="maxLength">Sequences longer than this are cut to their first <paramref name="maxLength"/> tokens; null for no limit.</param>
    /// <param name="device">Where to put the tensors; default CPU.</param>
    /// <returns>Tokens (N, T) int64, batch-first, and lengths (N) int64.</returns>
    /// <exception cref="ArgumentException">No sequences, a null sequence, or <paramref name="maxLength"/> below 1.</exception>
    public static (Tensor Tokens, Tensor Lengths) Pad(IReadOnlyList<long[]> sequences, int? maxLength = null, Device? device = null)
    {
        var padded = PaddedBatch.Pad(sequences, maxLength);
        return (tensor(padded.Ids, padded.Shape, ScalarType.Int64, device), tensor(padded.Lengths, ScalarType.Int64, device));
    }
}
