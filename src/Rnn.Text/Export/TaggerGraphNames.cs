namespace RnnMl.Text.Export;

/// <summary>The names of the inputs and output of an exported sequence tagger graph (shared by the exporter and the
/// libtorch-free inference library).</summary>
/// <remarks>Shapes: N batch, T time (tokens), C characters per token, K tags; N, T and C are dynamic.</remarks>
public static class TaggerGraphNames
{
    /// <summary>Input: token ids (N, T) int64, batch-first, padded with <see cref="Vocabulary.PaddingId"/>.</summary>
    public const string Tokens = "tokens";

    /// <summary>Input: valid lengths (N) int64, each in [1, T].</summary>
    public const string Lengths = "lengths";

    /// <summary>Input, only with a character encoder: character ids of every token (N, T, C) int64, 0-padded.</summary>
    public const string Characters = "characters";

    /// <summary>Output: per-token emission scores (N, T, K) float; rows at padded steps are meaningless.</summary>
    public const string Emissions = "emissions";
}
