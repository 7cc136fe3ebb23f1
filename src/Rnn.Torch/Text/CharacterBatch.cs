using RnnMl.Text;
using static TorchSharp.torch;

namespace RnnMl.Torch.Text;

/// <summary>Pads the character ids of the tokens of N sentences into one (N, T, C) tensor for a tagger's character encoder.</summary>
public static class CharacterBatch
{
    /// <summary>
    /// Pads to T = the longest sentence (at least 1, as <see cref="TokenBatch.Pad"/>) and C = the longest token (at
    /// least 1), with <see cref="Vocabulary.PaddingId"/>.
    /// </summary>
    /// <param name="sentences">For each sentence, the character ids of each token.</param>
    /// <param name="device">Where to put the tensor; default CPU.</param>
    /// <returns>(N, T, C) int64.</returns>
    /// <exception cref="ArgumentException">No sentences, or a null entry (naming it).</exception>
    public static Tensor Pad(IReadOnlyList<long[][]> sentences, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        if (sentences.Count == 0)
            throw new ArgumentException("a batch needs at least one sentence, got 0", nameof(sentences));
        int n = sentences.Count, t = 1, c = 1;
        for (int i = 0; i < n; i++)
        {
            var s = sentences[i] ?? throw new ArgumentException($"sentence {i}: the character ids are null", nameof(sentences));
            t = Math.Max(t, s.Length);
            for (int j = 0; j < s.Length; j++)
                c = Math.Max(c, (s[j] ?? throw new ArgumentException($"sentence {i}, token {j}: the character ids are null", nameof(sentences))).Length);
        }
        var flat = new long[(long)n * t * c];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < sentences[i].Length; j++)
                Array.Copy(sentences[i][j], 0, flat, ((long)i * t + j) * c, sentences[i][j].Length);
        return tensor(flat, new long[] { n, t, c }, ScalarType.Int64, device);
    }

    /// <summary>Checks that characters are given exactly when a model needs them and have one entry per token.</summary>
    /// <param name="sentences">Token ids of N sentences.</param>
    /// <param name="characters">Character ids per token of the same sentences, or null.</param>
    /// <param name="required">Whether the model has a character encoder.</param>
    /// <param name="paramName">The argument to name.</param>
    /// <exception cref="ArgumentException">Missing, unexpected, or misaligned (naming the sentence and both counts).</exception>
    public static void CheckAligned(IReadOnlyList<long[]> sentences, IReadOnlyList<long[][]>? characters, bool required, string paramName)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        if (characters is null)
        {
            if (required)
                throw new ArgumentException("the model has a character encoder: the characters of every token are required", paramName);
            return;
        }
        if (!required)
            throw new ArgumentException("the model has no character encoder, but characters were given", paramName);
        if (characters.Count != sentences.Count)
            throw new ArgumentException($"there must be character ids for each of the {sentences.Count} sentences, got {characters.Count}", paramName);
        for (int i = 0; i < sentences.Count; i++)
        {
            var c = characters[i] ?? throw new ArgumentException($"sentence {i}: the character ids are null", paramName);
            if (sentences[i] is not null && c.Length != sentences[i].Length)
                throw new ArgumentException($"sentence {i}: {sentences[i].Length} tokens but character ids for {c.Length}", paramName);
        }
    }
}
