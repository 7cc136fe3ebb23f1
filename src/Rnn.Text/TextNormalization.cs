namespace RnnMl.Text;

/// <summary>Unicode normalisation applied before tokenising.</summary>
public enum TextNormalization
{
    /// <summary>Leave the text as it is.</summary>
    None,

    /// <summary>Canonical composition (NFC): the same text typed on different keyboards becomes the same code points.</summary>
    NFC,

    /// <summary>Compatibility composition (NFKC): NFC plus folding of compatibility forms (full-width letters, ligatures). The default.</summary>
    NFKC,
}
