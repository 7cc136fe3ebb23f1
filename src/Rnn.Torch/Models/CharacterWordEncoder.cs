using RnnMl.Torch.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>
/// The character-level word encoder of a <see cref="SequenceTagger"/> (Lample et al. 2016): a bidirectional LSTM reads
/// each word's characters, and the word's features are its final forward state followed by its final backward state.
/// </summary>
/// <remarks>
/// Input: character ids (N, T, C) int64, 0-padded on the right (a word's length is its count of non-zero ids; an
/// all-padding slot, e.g. a padded time step, is read as one padding character so that every length is in [1, C]).
/// Output (N, T, 2·Hc) = [h→ at the word's last character; h← at its first character]. Each word is encoded alone:
/// its features do not depend on the other words or on the padding, so each distinct word of a batch is encoded once. Parameters: <c>embedding.weight</c> (Vc, Ec) and
/// <c>encoder.*</c> (PyTorch's LSTM names, one bidirectional layer).
/// </remarks>
public sealed class CharacterWordEncoder : nn.Module
{
    private readonly Embedding embedding;
    private readonly RecurrentLayer encoder;
    private readonly int vocabularySize;

    private CharacterWordEncoder(int vocabularySize, int embeddingSize, int hiddenSize, RecurrentBackend backend, Device? device)
        : base(nameof(CharacterWordEncoder))
    {
        this.vocabularySize = vocabularySize;
        embedding = nn.Embedding(vocabularySize, embeddingSize, padding_idx: RnnMl.Text.Vocabulary.PaddingId, device: device);
        encoder = RecurrentLayers.Create(RecurrentCellKind.Lstm,
            new RecurrentLayerOptions(embeddingSize, hiddenSize, 1, true, BatchFirst: true, 0, Bidirectional: true, backend), device: device);
        register_module("embedding", embedding);
        register_module("encoder", encoder);
    }

    /// <summary>Creates the encoder for a tagger's options (its character sizes and backend).</summary>
    /// <param name="options">Validated tagger options with <see cref="SequenceTaggerOptions.HasCharacterEncoder"/>.</param>
    /// <param name="device">Where the parameters live; default CPU.</param>
    internal static CharacterWordEncoder Create(SequenceTaggerOptions options, Device? device)
        => new(options.CharacterVocabularySize, options.CharacterEmbeddingSize, options.CharacterHiddenSize, options.Backend, device);

    /// <summary>The character BiLSTM (one layer, two directions).</summary>
    public RecurrentLayer Encoder => encoder;

    /// <summary>Word features from characters.</summary>
    /// <param name="characters">(N, T, C) int64 character ids, 0-padded, each in [0, Vc).</param>
    /// <returns>(N, T, 2·Hc).</returns>
    /// <exception cref="ArgumentException">The tensor is not 3-D int64 or an id is out of range.</exception>
    public Tensor forward(Tensor characters)
    {
        TokenIdCheck.Check(characters, 3, vocabularySize, nameof(characters));
        using var scope = NewDisposeScope();
        long n = characters.shape[0], t = characters.shape[1], c = characters.shape[2];
        if (c == 0)
            throw new ArgumentException("characters must have at least one character slot (C ≥ 1), got C = 0", nameof(characters));
        // Each distinct word (row of character ids) is encoded once; a batch repeats many words ("the", ",").
        var (words, inverse, _) = characters.reshape(n * t, c).unique(sorted: true, return_inverse: true, dim: 0);
        var lengths = words.ne(RnnMl.Text.Vocabulary.PaddingId).sum(1).clamp_min(1);
        var (_, state) = encoder.forward(embedding.call(words), lengths: lengths);
        // H: (2, W, Hc), forward direction first → (W, 2·Hc) → back to every slot.
        return state.H.transpose(0, 1).reshape(words.shape[0], -1).index_select(0, inverse!).reshape(n, t, -1).MoveToOuterDisposeScope();
    }
}
