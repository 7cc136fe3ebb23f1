namespace RnnMl.Text.Export;

/// <summary>The names of the inputs and outputs of an exported text classifier graph (shared by the exporter and the
/// libtorch-free inference library, so neither has to guess).</summary>
/// <remarks>Shapes: N batch, T time, C classes; N and T are dynamic.</remarks>
public static class ClassifierGraphNames
{
    /// <summary>Input: token ids (N, T) int64, batch-first, padded with <see cref="Vocabulary.PaddingId"/>.</summary>
    public const string Tokens = "tokens";

    /// <summary>Input: valid lengths (N) int64, each in [1, T].</summary>
    public const string Lengths = "lengths";

    /// <summary>Output: unnormalised class scores (logits) (N, C) float.</summary>
    public const string Scores = "scores";

    /// <summary>Output: softmax of the scores (N, C) float.</summary>
    public const string Probabilities = "probabilities";
}
