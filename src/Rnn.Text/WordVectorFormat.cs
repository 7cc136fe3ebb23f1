namespace RnnMl.Text;

/// <summary>The layout of a pretrained word-vector file; see <see cref="WordVectors"/>.</summary>
public enum WordVectorFormat
{
    /// <summary>Word2vec binary for a <c>.bin</c> file name, text otherwise.</summary>
    Auto,

    /// <summary>
    /// Text, UTF-8, one word per line followed by its values, separated by spaces (GloVe; word2vec text and fastText
    /// <c>.vec</c>, whose first line "count dimension" is recognised and skipped).
    /// </summary>
    Text,

    /// <summary>Word2vec binary: a text line "count dimension", then per word its UTF-8 bytes, a space and dimension little-endian float32 values.</summary>
    Word2VecBinary,
}
