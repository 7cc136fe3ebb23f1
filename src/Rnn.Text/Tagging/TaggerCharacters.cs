using System.Text;

namespace RnnMl.Text.Tagging;

/// <summary>
/// The character ids a tagger's character-level word encoder reads: one id per Unicode scalar value (rune) of a token,
/// from a <see cref="Vocabulary"/> over characters (id 0 padding, 1 unknown), so that the TorchSharp model and ONNX
/// inference see the same ids.
/// </summary>
public static class TaggerCharacters
{
    /// <summary>Builds a character vocabulary from the training tokens; characters seen fewer than <paramref name="minCount"/> times map to unknown.</summary>
    /// <param name="sentences">Tokenised training sentences.</param>
    /// <param name="minCount">At least 1. Default 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minCount"/> is below 1.</exception>
    public static Vocabulary BuildVocabulary(IEnumerable<IEnumerable<string>> sentences, int minCount = 1)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        return Vocabulary.Build(sentences.SelectMany(s => s.Select(Characters)), minCount);
    }

    /// <summary>The characters of a token, one string per rune.</summary>
    /// <param name="token">A token.</param>
    public static IEnumerable<string> Characters(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return token.EnumerateRunes().Select(r => r.ToString());
    }

    /// <summary>The character ids of each token of a sentence (an empty token gets none).</summary>
    /// <param name="characters">The character vocabulary.</param>
    /// <param name="tokens">The sentence's tokens.</param>
    /// <returns>One array of ids per token.</returns>
    public static long[][] Encode(Vocabulary characters, IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(characters);
        ArgumentNullException.ThrowIfNull(tokens);
        var ids = new long[tokens.Count][];
        for (int i = 0; i < tokens.Count; i++)
            ids[i] = characters.Encode(Characters(tokens[i] ?? throw new ArgumentException($"token {i} is null", nameof(tokens))));
        return ids;
    }
}
