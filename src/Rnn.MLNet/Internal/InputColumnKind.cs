namespace RnnMl.MLNet.Internal;

/// <summary>What the classifier's input column holds.</summary>
internal enum InputColumnKind
{
    /// <summary>Text, tokenised inside.</summary>
    Text,

    /// <summary>A vector of text tokens.</summary>
    Tokens,

    /// <summary>A vector of keys (token ids 1..K, 0 missing).</summary>
    Keys,
}
