using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>Checks token-id tensors where they enter a model, with messages that name the argument and the values.</summary>
internal static class TokenIdCheck
{
    /// <summary>Throws unless <paramref name="ids"/> is an Int64 tensor of <paramref name="dims"/> dimensions with ids in [0, <paramref name="vocabularySize"/>).</summary>
    public static void Check(Tensor ids, int dims, int vocabularySize, string name)
    {
        ArgumentNullException.ThrowIfNull(ids, name);
        if (ids.dim() != dims)
            throw new ArgumentException($"{name} must be {dims}-D, got {ids.dim()}-D", name);
        if (ids.dtype != ScalarType.Int64)
            throw new ArgumentException($"{name} must be Int64, got {ids.dtype}", name);
        if (ids.numel() == 0) return;
        using var range = stack(new[] { ids.min(), ids.max() });
        var r = range.data<long>();
        if (r[0] < 0 || r[1] >= vocabularySize)
            throw new ArgumentOutOfRangeException(name, $"{name} ids must be between 0 and {vocabularySize - 1}, got {(r[0] < 0 ? r[0] : r[1])}");
    }
}
