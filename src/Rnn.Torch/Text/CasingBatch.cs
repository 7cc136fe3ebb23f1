using RnnMl.Text.Tagging;

namespace RnnMl.Torch.Text;

/// <summary>Checks the casing ids (<see cref="TokenCasing"/>) of N sentences against their tokens, for a tagger's casing feature;
/// they are padded like token ids (<see cref="TokenBatch.Pad"/>, padding <see cref="TokenCasing.Padding"/>).</summary>
public static class CasingBatch
{
    /// <summary>Checks that casing ids are given exactly when a model needs them, one per token, each in [0, <see cref="TokenCasing.Count"/>).</summary>
    /// <param name="sentences">Token ids of N sentences.</param>
    /// <param name="casing">Casing ids of the same sentences, or null.</param>
    /// <param name="required">Whether the model has the casing feature.</param>
    /// <param name="paramName">The argument to name.</param>
    /// <exception cref="ArgumentException">Missing, unexpected, misaligned (naming the sentence and both counts) or out of range.</exception>
    public static void CheckAligned(IReadOnlyList<long[]> sentences, IReadOnlyList<long[]>? casing, bool required, string paramName)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        if (casing is null)
        {
            if (required)
                throw new ArgumentException("the model has the casing feature (CasingEmbeddingSize > 0): the casing ids of every token are required (see TokenCasing.Encode)", paramName);
            return;
        }
        if (!required)
            throw new ArgumentException("the model has no casing feature (CasingEmbeddingSize is 0), but casing ids were given", paramName);
        if (casing.Count != sentences.Count)
            throw new ArgumentException($"there must be casing ids for each of the {sentences.Count} sentences, got {casing.Count}", paramName);
        for (int i = 0; i < sentences.Count; i++)
        {
            var c = casing[i] ?? throw new ArgumentException($"sentence {i}: the casing ids are null", paramName);
            if (sentences[i] is not null && c.Length != sentences[i].Length)
                throw new ArgumentException($"sentence {i}: {sentences[i].Length} tokens but {c.Length} casing ids", paramName);
            for (int t = 0; t < c.Length; t++)
                if (c[t] < 0 || c[t] >= TokenCasing.Count)
                    throw new ArgumentOutOfRangeException(paramName, $"sentence {i}, token {t}: casing ids must be between 0 and {TokenCasing.Count - 1}, got {c[t]}");
        }
    }
}
