using RnnMl.Torch.Layers;
using RnnMl.Torch.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>
/// A synchronised many-to-many tagger (part of speech, chunks, entities): embedding (+ optional character-level word
/// encoder) → dropout → recurrent encoder → dropout → per-token linear → emission scores, with an optional <see cref="LinearChainCrf"/> over the tag sequence (BiLSTM-CRF,
/// Huang et al. 2015; Lample et al. 2016).
/// </summary>
/// <remarks>
/// Input: token ids (N, T) int64, batch-first, padded with <see cref="RnnMl.Text.Vocabulary.PaddingId"/>, and lengths (N),
/// each in [1, T]; with the character encoder (<see cref="SequenceTaggerOptions.HasCharacterEncoder"/>) also the
/// characters of every token (N, T, C), see <see cref="CharacterWordEncoder"/>, whose features (2·Hc) are appended to
/// the token's embedding, and with the casing feature (<see cref="SequenceTaggerOptions.HasCasing"/>) the embedding of
/// the token's casing class cₜ (<see cref="RnnMl.Text.Tagging.TokenCasing"/>, (N, T) ids): xₜ = [E[wₜ]; chars(wₜ); E_case[cₜ]]. Emissions eₜ = W·dropout(hₜ) + b (N, T, K), where hₜ (D·H) is the
/// encoder output at step t over dropout(x).
/// With the CRF, the loss of a sentence is its CRF negative log-likelihood and tags are decoded by Viterbi; without it,
/// the loss is Σₜ −log softmax(eₜ)[yₜ] and each tag is argmax eₜ. Padded steps never contribute to either.
/// Parameters: <c>embedding.weight</c>, <c>encoder.*</c> (PyTorch's names), <c>output.weight</c>, <c>output.bias</c>,
/// <c>crf.*</c> with the CRF, <c>characters.*</c> with the character encoder and <c>casing.weight</c> with the casing feature.
/// </remarks>
public sealed class SequenceTagger : nn.Module
{
    private readonly Embedding embedding;
    private readonly RecurrentLayer encoder;
    private readonly Dropout dropout;
    private readonly Linear output;
    private readonly LinearChainCrf? crf;
    private readonly CharacterWordEncoder? characters;
    private readonly Embedding? casing;
    private readonly SequenceTaggerOptions options;
    private bool disposed;

    private SequenceTagger(SequenceTaggerOptions options, Device? device) : base(nameof(SequenceTagger))
    {
        this.options = options.Validate();
        int d = options.Bidirectional ? 2 : 1;
        embedding = nn.Embedding(options.VocabularySize, options.EmbeddingSize, padding_idx: RnnMl.Text.Vocabulary.PaddingId, device: device);
        characters = options.HasCharacterEncoder ? CharacterWordEncoder.Create(options, device) : null;
        casing = options.HasCasing ? nn.Embedding(RnnMl.Text.Tagging.TokenCasing.Count, options.CasingEmbeddingSize, padding_idx: RnnMl.Text.Tagging.TokenCasing.Padding, device: device) : null;
        encoder = RecurrentLayers.Create(options.Cell, new RecurrentLayerOptions(options.TokenFeatureSize, options.HiddenSize,
            options.NumLayers, true, BatchFirst: true, options.NumLayers > 1 ? options.Dropout : 0, options.Bidirectional, options.Backend), device: device);
        dropout = nn.Dropout(options.Dropout);
        output = nn.Linear(d * options.HiddenSize, options.TagCount, device: device);
        crf = options.UseCrf ? LinearChainCrf.Create(options.TagCount, options.Constraints, device: device) : null;
        register_module("embedding", embedding);
        if (characters is not null) register_module("characters", characters);
        if (casing is not null) register_module("casing", casing);
        register_module("encoder", encoder);
        register_module("dropout", dropout);
        register_module("output", output);
        if (crf is not null) register_module("crf", crf);
    }

    /// <summary>Creates a model with freshly initialised parameters (seed torch first for repeatable weights).</summary>
    /// <param name="options">The model's shape; validated here.</param>
    /// <param name="device">Where the parameters live; default CPU.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static SequenceTagger Create(SequenceTaggerOptions options, Device? device = null)
        => new(options ?? throw new ArgumentNullException(nameof(options)), device);

    /// <summary>The model's shape.</summary>
    public SequenceTaggerOptions Options => Live(options);

    /// <summary>The CRF, or null when tokens are classified one by one.</summary>
    public LinearChainCrf? Crf => Live(crf);

    /// <summary>The recurrent encoder over the tokens.</summary>
    public RecurrentLayer Encoder => Live(encoder);

    /// <summary>The character-level word encoder, or null without one.</summary>
    public CharacterWordEncoder? Characters => Live(characters);

    /// <summary>
    /// Sets rows of the word embedding table from pretrained vectors (e.g. <see cref="RnnMl.Text.WordVectors.Rows"/>), as
    /// <see cref="SequenceClassifier.InitializeEmbedding"/> does: every other row but padding is drawn afresh from N(0, σ²),
    /// σ the standard deviation of the given values (when there are at least two), so that words without a vector start on
    /// the same scale as those with one; the padding row stays 0. The character encoder and the casing feature are unaffected.
    /// </summary>
    /// <param name="rows">Word id → its vector of <see cref="SequenceTaggerOptions.EmbeddingSize"/> values; ids in [1, V).</param>
    /// <param name="freeze">Whether the word embedding then stays fixed in training (its weight no longer requires grad).</param>
    /// <returns>The number of rows set.</returns>
    /// <exception cref="ArgumentException">An id is out of range or a vector has the wrong length; the message names the id.</exception>
    public int InitializeEmbedding(IReadOnlyDictionary<int, float[]> rows, bool freeze)
        => PretrainedEmbedding.Initialize(Live(embedding), options.VocabularySize, options.EmbeddingSize, rows, freeze);

    /// <summary>Emission scores for a batch.</summary>
    /// <param name="tokens">(N, T) int64 token ids, padded.</param>
    /// <param name="lengths">(N) int64 valid lengths, each in [1, T].</param>
    /// <param name="characters">(N, T, C) int64 character ids of each token, 0-padded (see
    /// <see cref="RnnMl.Torch.Text.CharacterBatch"/>); required with the character encoder, must be null without.</param>
    /// <param name="casing">(N, T) int64 casing ids of each token (<see cref="RnnMl.Text.Tagging.TokenCasing"/>, 0 at padded
    /// steps); required with the casing feature, must be null without.</param>
    /// <returns>Emissions (N, T, K); rows at padded steps are meaningless.</returns>
    /// <exception cref="ArgumentException">A shape or an id is out of range, or characters or casing ids are missing or unexpected.</exception>
    public Tensor forward(Tensor tokens, Tensor lengths, Tensor? characters = null, Tensor? casing = null)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        TokenIdCheck.Check(tokens, 2, Options.VocabularySize, nameof(tokens));
        ArgumentNullException.ThrowIfNull(lengths);
        using var scope = NewDisposeScope();
        if (training && options.WordDropout > 0)
        {
            using var rate = options.WordDropout.ToScalar();
            using var padding = ((long)RnnMl.Text.Vocabulary.PaddingId).ToScalar();
            var dropped = rand(tokens.shape, device: tokens.device).lt(rate).logical_and(tokens.ne(padding));
            tokens = tokens.masked_fill(dropped, PinnedScalars.UnknownId);
        }
        var x = embedding.call(tokens);
        if (this.characters is null)
        {
            if (characters is not null)
                throw new ArgumentException("this tagger has no character encoder (CharacterVocabularySize is 0), but characters were given", nameof(characters));
        }
        else
        {
            if (characters is null)
                throw new ArgumentException($"this tagger has a character encoder ({Options.CharacterVocabularySize} character ids): characters (N, T, C) are required", nameof(characters));
            if (characters.dim() != 3 || characters.shape[0] != tokens.shape[0] || characters.shape[1] != tokens.shape[1])
                throw new ArgumentException($"characters must be (N, T, C) with (N, T) = ({tokens.shape[0]}, {tokens.shape[1]}) as the tokens, got shape [{string.Join(", ", characters.shape)}]", nameof(characters));
            x = cat(new[] { x, this.characters.forward(characters) }, 2);
        }
        if (this.casing is null)
        {
            if (casing is not null)
                throw new ArgumentException("this tagger has no casing feature (CasingEmbeddingSize is 0), but casing ids were given", nameof(casing));
        }
        else
        {
            if (casing is null)
                throw new ArgumentException($"this tagger has the casing feature (CasingEmbeddingSize {Options.CasingEmbeddingSize}): casing ids (N, T) are required", nameof(casing));
            TokenIdCheck.Check(casing, 2, RnnMl.Text.Tagging.TokenCasing.Count, nameof(casing));
            if (casing.shape[0] != tokens.shape[0] || casing.shape[1] != tokens.shape[1])
                throw new ArgumentException($"casing must be (N, T) = ({tokens.shape[0]}, {tokens.shape[1]}) as the tokens, got shape [{string.Join(", ", casing.shape)}]", nameof(casing));
            x = cat(new[] { x, this.casing.call(casing) }, 2);
        }
        var (encoded, _) = encoder.ForwardOutputsAndH(dropout.call(x), lengths: lengths);
        return output.call(dropout.call(encoded)).MoveToOuterDisposeScope();
    }

    /// <summary>The loss of each sentence (see remarks), summed over its tokens; divide the total by the token count for a per-token loss.</summary>
    /// <param name="emissions">(N, T, K) from <see cref="forward"/>.</param>
    /// <param name="tags">(N, T) int64 gold tags in [0, K) at valid steps (padded steps ignored).</param>
    /// <param name="lengths">(N) int64 lengths.</param>
    /// <returns>(N) losses.</returns>
    public Tensor SentenceLoss(Tensor emissions, Tensor tags, Tensor lengths)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (crf is not null) return crf.NegativeLogLikelihood(emissions, tags, lengths);
        ArgumentNullException.ThrowIfNull(emissions);
        ArgumentNullException.ThrowIfNull(tags);
        using var scope = NewDisposeScope();
        long steps = emissions.shape[1];
        var valid = arange(steps, ScalarType.Int64, emissions.device).unsqueeze(0).lt(lengths.to(emissions.device).unsqueeze(1));
        TokenIdCheck.Check(tags.masked_fill(valid.logical_not(), PinnedScalars.Zero), 2, Options.TagCount, nameof(tags));
        var logp = emissions.log_softmax(2).gather(2, tags.masked_fill(valid.logical_not(), PinnedScalars.Zero).unsqueeze(2)).squeeze(2);
        return (-logp).masked_fill(valid.logical_not(), PinnedScalars.Zero).sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>The predicted tags of each sentence: Viterbi with the CRF, the per-step argmax without.</summary>
    /// <param name="emissions">(N, T, K) from <see cref="forward"/>.</param>
    /// <param name="lengths">(N) int64 lengths.</param>
    /// <returns>N arrays of tag ids, each as long as its sentence.</returns>
    public long[][] Decode(Tensor emissions, Tensor lengths)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(emissions);
        ArgumentNullException.ThrowIfNull(lengths);
        if (crf is not null) return crf.Decode(emissions, lengths).Tags;
        using var scope = NewDisposeScope();
        long n = emissions.shape[0], steps = emissions.shape[1];
        var best = n * steps == 0 ? Array.Empty<long>() : emissions.argmax(2).cpu().contiguous().data<long>().ToArray();
        var lens = n == 0 ? Array.Empty<long>() : lengths.cpu().data<long>().ToArray();
        return Enumerable.Range(0, (int)n).Select(i => best.AsSpan((int)(i * steps), (int)lens[i]).ToArray()).ToArray();
    }

    /// <summary>Tags sentences of token ids in eval mode, without gradients; an empty sentence gets no tags.</summary>
    /// <param name="sentences">Token ids of N sentences.</param>
    /// <param name="characters">With the character encoder: for each sentence, the character ids of each token
    /// (see <c>RnnMl.Text.Tagging.TaggerCharacters</c>); null without it.</param>
    /// <param name="device">Where to run; default CPU.</param>
    /// <param name="casing">With the casing feature: for each sentence, the casing id of each token
    /// (<c>RnnMl.Text.Tagging.TokenCasing.Encode</c>); null without it.</param>
    /// <returns>N arrays of tag ids.</returns>
    /// <exception cref="ArgumentException">Characters or casing ids are missing, unexpected, or do not match the sentences.</exception>
    public long[][] Tag(IReadOnlyList<long[]> sentences, IReadOnlyList<long[][]>? characters = null, Device? device = null, IReadOnlyList<long[]>? casing = null)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(sentences);
        if (sentences.Count == 0) return Array.Empty<long[]>();
        RnnMl.Torch.Text.CharacterBatch.CheckAligned(sentences, characters, this.characters is not null, nameof(characters));
        RnnMl.Torch.Text.CasingBatch.CheckAligned(sentences, casing, this.casing is not null, nameof(casing));
        bool wasTraining = training;
        eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var (tokens, lengths) = TokenBatch.Pad(sentences, device: device);
            var chars = characters is null ? null : RnnMl.Torch.Text.CharacterBatch.Pad(characters, device: device);
            var casingIds = casing is null ? null : TokenBatch.Pad(casing, device: device).Tokens;
            var tags = Decode(forward(tokens, lengths, chars, casingIds), lengths);
            return tags.Select((t, i) => sentences[i].Length == 0 ? Array.Empty<long>() : t).ToArray();
        }
        finally
        {
            if (wasTraining) train();
        }
    }

    private T Live<T>(T value)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return value;
    }

    /// <summary>Releases the parameters; afterwards every method throws <see cref="ObjectDisposedException"/>.</summary>
    protected override void Dispose(bool disposing)
    {
        disposed = true;
        base.Dispose(disposing);
    }
}
