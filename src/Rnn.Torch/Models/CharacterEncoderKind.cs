namespace RnnMl.Torch.Models;

/// <summary>How a <see cref="SequenceTagger"/> turns a word's characters into features (see <see cref="CharacterWordEncoder"/>).</summary>
public enum CharacterEncoderKind
{
    /// <summary>No character encoder: words are known by their ids only (unseen words are all &lt;unk&gt;).</summary>
    None = 0,

    /// <summary>A bidirectional LSTM over the characters; the word's features are its two final states (Lample et al. 2016).</summary>
    BiLstm = 1,

    /// <summary>A convolution of width 3 over the character embeddings, max-pooled over the word (Ma and Hovy 2016);
    /// cheaper than the BiLSTM, as every position is computed at once.</summary>
    Cnn = 2,
}
