using RnnMl.Torch.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>
/// The character-level word encoder of a <see cref="SequenceTagger"/>: either a bidirectional LSTM over each word's
/// characters whose final forward and backward states are the word's features (Lample et al. 2016), or a convolution
/// of width 3 over the character embeddings, max-pooled over the word's characters (Ma and Hovy 2016).
/// </summary>
/// <remarks>
/// Input: character ids (N, T, C) int64, 0-padded on the right (a word's length ℓ is its count of non-zero ids; an
/// all-padding slot, e.g. a padded time step, is read as one padding character so that every ℓ is in [1, C]).
/// Output (N, T, F) with F = 2·Hc. BiLSTM: [h→ at the word's last character; h← at its first character].
/// CNN (2·Hc filters): fⱼ = max over i &lt; ℓ of (bⱼ + Σₖ Wⱼ,ₖ · e[i − 1 + k]), k ∈ {0, 1, 2}, with zero embeddings outside
/// the word (the padding character's embedding is zero), so no padding position is ever pooled.
/// Each word is encoded alone: its features depend neither on the other words nor on the padding, so each distinct
/// word of a batch is encoded once. Parameters: <c>embedding.weight</c> (Vc, Ec), and <c>encoder.*</c> (PyTorch's LSTM
/// names, one bidirectional layer) or <c>convolution.weight</c> (F, Ec, 3) and <c>convolution.bias</c> (F).
/// </remarks>
public sealed class CharacterWordEncoder : nn.Module
{
    /// <summary>Width of the character convolution (characters seen at once).</summary>
    public const int Window = 3;

    private readonly Embedding embedding;
    private readonly RecurrentLayer? encoder;
    private readonly Conv1d? convolution;
    private readonly int vocabularySize;

    private CharacterWordEncoder(CharacterEncoderKind kind, int vocabularySize, int embeddingSize, int hiddenSize, RecurrentBackend backend, Device? device)
        : base(nameof(CharacterWordEncoder))
    {
        Kind = kind;
        this.vocabularySize = vocabularySize;
        embedding = nn.Embedding(vocabularySize, embeddingSize, padding_idx: RnnMl.Text.Vocabulary.PaddingId, device: device);
        register_module("embedding", embedding);
        if (kind == CharacterEncoderKind.Cnn)
        {
            convolution = nn.Conv1d(embeddingSize, 2 * hiddenSize, Window, padding: Window / 2, device: device);
            register_module("convolution", convolution);
        }
        else
        {
            encoder = RecurrentLayers.Create(RecurrentCellKind.Lstm,
                new RecurrentLayerOptions(embeddingSize, hiddenSize, 1, true, BatchFirst: true, 0, Bidirectional: true, backend), device: device);
            register_module("encoder", encoder);
        }
    }

    /// <summary>Creates the encoder for a tagger's options (its character encoder kind, sizes and backend).</summary>
    /// <param name="options">Validated tagger options with <see cref="SequenceTaggerOptions.HasCharacterEncoder"/>.</param>
    /// <param name="device">Where the parameters live; default CPU.</param>
    internal static CharacterWordEncoder Create(SequenceTaggerOptions options, Device? device)
        => new(options.CharacterEncoder, options.CharacterVocabularySize, options.CharacterEmbeddingSize, options.CharacterHiddenSize, options.Backend, device);

    /// <summary>Which encoder this is: <see cref="CharacterEncoderKind.BiLstm"/> or <see cref="CharacterEncoderKind.Cnn"/>.</summary>
    public CharacterEncoderKind Kind { get; }

    /// <summary>The character BiLSTM (one layer, two directions), or null for the CNN.</summary>
    public RecurrentLayer? Encoder => encoder;

    /// <summary>The character convolution (Ec → 2·Hc channels, width <see cref="Window"/>, zero padding 1), or null for the BiLSTM.</summary>
    public Conv1d? Convolution => convolution;

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
        return EncodeWords(words).index_select(0, inverse!).reshape(n, t, -1).MoveToOuterDisposeScope();
    }

    /// <summary>Features of words given one per row.</summary>
    /// <param name="words">(W, C) int64 character ids, 0-padded on the right, C ≥ 1.</param>
    /// <returns>(W, 2·Hc).</returns>
    private Tensor EncodeWords(Tensor words)
    {
        var lengths = words.ne(RnnMl.Text.Vocabulary.PaddingId).sum(1).clamp_min(1);
        if (encoder is not null)
        {
            // Only the final h is read, so the outputs need not be laid out (poolingOnly).
            var (_, state) = encoder.ForwardOutputsAndH(embedding.call(words), lengths: lengths, poolingOnly: true);
            // H: (2, W, Hc), forward direction first → (W, 2·Hc).
            return state.H.transpose(0, 1).reshape(words.shape[0], -1);
        }
        // Workaround: libtorch's conv1d (through TorchSharp 0.107, CPU) gave a batch of many words features that differ
        // from each word's alone (by up to 0.5, and NaN losses in training) at the bench's sizes (Ec 25, 100 filters,
        // thousands of words); the same sum written as windows × filters is exact. Guarded by
        // CharacterCnnEncoderTests.Features_OfManyLongWordsInOneBatch_EqualEachWordAlone.
        var windows = nn.functional.pad(embedding.call(words).transpose(1, 2), new long[] { Window / 2, Window / 2 }).unfold(2, Window, 1); // (W, Ec, C, 3)
        var convolved = einsum("weck,fek->wfc", windows, convolution!.weight!) + convolution.bias!.unsqueeze(1);            // (W, F, C)
        var outside = arange(words.shape[1], ScalarType.Int64, words.device).unsqueeze(0).ge(lengths.unsqueeze(1)); // (W, C)
        return convolved.masked_fill(outside.unsqueeze(1), PinnedScalars.MinusInfinity).amax(new long[] { 2 });
    }
}
