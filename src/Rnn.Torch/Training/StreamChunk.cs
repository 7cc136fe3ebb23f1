using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>One chunk of k steps of N parallel streams: inputs and the next tokens to predict.</summary>
/// <param name="Index">The chunk's position, 0-based; chunk 0 starts every stream afresh (no carried state).</param>
/// <param name="Input">(N, k) int64 token ids.</param>
/// <param name="Target">(N, k) int64: each input's next token.</param>
public sealed record StreamChunk(int Index, Tensor Input, Tensor Target);
