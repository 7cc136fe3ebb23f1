using System.Text;

namespace RnnMl.Text.Tagging;

/// <summary>
/// The casing class of a token, the input of a tagger's casing feature (<c>SequenceTaggerOptions.CasingEmbeddingSize</c>):
/// with lower-cased word ids the word embedding no longer sees the case, so a small embedding of this class gives it
/// back (Collobert et al. 2011; Reimers and Gurevych 2017). Ids: 0 padding, then <see cref="AllLower"/>,
/// <see cref="FirstUpper"/>, <see cref="AllUpper"/>, <see cref="HasDigit"/>, <see cref="Other"/>; the same in training,
/// the TorchSharp model and ONNX inference.
/// </summary>
/// <remarks>
/// Rules, over the token's Unicode scalar values (runes), first match wins: a decimal digit anywhere → has-digit;
/// no letter → other; no upper-case letter → all-lower ("don't", "e.g."); at least two letters and no lower-case letter
/// → all-upper ("USA", "U.S."); the first rune an upper-case letter and no other upper-case letter → first-upper
/// ("Paris", "I"); anything else (mixed case: "iPhone", "McDonald") → other. Title-case letters count as upper case.
/// </remarks>
public static class TokenCasing
{
    /// <summary>The id of padded steps (and of nothing else).</summary>
    public const long Padding = 0;

    /// <summary>Letters, none upper-case.</summary>
    public const long AllLower = 1;

    /// <summary>The first rune is an upper-case letter, no other letter is.</summary>
    public const long FirstUpper = 2;

    /// <summary>At least two letters, none lower-case.</summary>
    public const long AllUpper = 3;

    /// <summary>At least one decimal digit.</summary>
    public const long HasDigit = 4;

    /// <summary>No letter and no digit (punctuation, symbols, an empty token), or mixed case.</summary>
    public const long Other = 5;

    /// <summary>The number of ids, padding included (6): the size of a casing embedding table.</summary>
    public const int Count = 6;

    /// <summary>The casing class of one token (see remarks of <see cref="TokenCasing"/>).</summary>
    /// <param name="token">A token.</param>
    public static long Of(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        int letters = 0, upper = 0, lower = 0, index = 0;
        bool firstUpper = false;
        foreach (var rune in token.EnumerateRunes())
        {
            if (Rune.IsDigit(rune)) return HasDigit;
            if (Rune.IsLetter(rune))
            {
                letters++;
                bool isUpper = Rune.IsUpper(rune) || Rune.GetUnicodeCategory(rune) == System.Globalization.UnicodeCategory.TitlecaseLetter;
                if (isUpper) { upper++; if (index == 0) firstUpper = true; }
                else if (Rune.IsLower(rune)) lower++;
            }
            index++;
        }
        if (letters == 0) return Other;
        if (upper == 0) return AllLower;
        if (lower == 0 && letters >= 2) return AllUpper;
        if (firstUpper && upper == 1) return FirstUpper;
        return Other;
    }

    /// <summary>The casing ids of a sentence's tokens.</summary>
    /// <param name="tokens">The tokens.</param>
    /// <exception cref="ArgumentException">A token is null (naming its index).</exception>
    public static long[] Encode(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var ids = new long[tokens.Count];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = Of(tokens[i] ?? throw new ArgumentException($"token {i} is null", nameof(tokens)));
        return ids;
    }
}
