namespace RnnMl.Text.Export;

/// <summary>The names of the inputs and output of an exported sequence tagger graph (shared by the exporter and the
/// libtorch-free inference library).</summary>
/// <remarks>Shapes: N batch, T time (tokens), W distinct words of the batch, C characters per word, K tags; N, T, W and C are dynamic.</remarks>
public static class TaggerGraphNames
{
    /// <summary>Input: token ids (N, T) int64, batch-first, padded with <see cref="Vocabulary.PaddingId"/>.</summary>
    public const string Tokens = "tokens";

    /// <summary>Input: valid lengths (N) int64, each in [1, T].</summary>
    public const string Lengths = "lengths";

    /// <summary>Input, only with a character encoder: the character ids of each distinct word of the batch (W, C) int64,
    /// 0-padded on the right, W ≥ 1 and C ≥ 1; each word is encoded once, however often the batch repeats it.</summary>
    public const string Characters = "word_characters";

    /// <summary>Input, only with a character encoder: for each token (N, T) int64, its row in <see cref="Characters"/>, in
    /// [0, W) (any row at padded steps).</summary>
    public const string WordIndex = "word_index";

    /// <summary>Input, only with the casing feature: each token's casing id (N, T) int64 (<see cref="Tagging.TokenCasing"/>,
    /// 0 at padded steps).</summary>
    public const string Casing = "casing";

    /// <summary>Output: per-token emission scores (N, T, K) float; rows at padded steps are meaningless.</summary>
    public const string Emissions = "emissions";
}
