using RnnMl.Torch.Models;
using RnnMl.Torch.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>
/// Trains a <see cref="SequenceTagger"/> with <see cref="Trainer"/>: length-bucketed batches of sentences, the CRF
/// negative log-likelihood (or the per-token cross-entropy without CRF), padded steps ignored.
/// </summary>
/// <remarks>
/// A batch's loss is its summed sentence losses divided by its token count, and its Count is that number of tokens, so
/// epoch losses are per token. MetricSums: "accuracy" (tokens whose decoded tag, Viterbi with the CRF, is right,
/// becoming token accuracy). Empty sentences are dropped (they hold nothing to learn), so batch rows index the non-empty ones.
/// With <see cref="SequenceTaggerOptions.FrequencyWordDropout"/> α &gt; 0, each training token whose id occurs c times in
/// the training sentences is replaced by &lt;unk&gt; with probability α / (α + c) (<see cref="WordDropoutByFrequency"/>;
/// training batches only; the draws come from torch's generator, so the seed fixes them). The task then owns that
/// probability table: dispose the task when training is done.
/// </remarks>
public sealed class SequenceTaggerTrainingTask : BucketedTrainingTask<(long[] Tokens, long[] Tags, long[][]? Characters, long[]? Casing)>, IDisposable
{
    private readonly SequenceTagger model;
    private readonly WordDropoutByFrequency? wordDropout;
    private bool disposed;

    /// <summary>Creates the task.</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="trainTokens">Token ids of the training sentences.</param>
    /// <param name="trainTags">Tag ids of the training sentences, one per token.</param>
    /// <param name="validTokens">Token ids of the validation sentences; empty for no validation.</param>
    /// <param name="validTags">Tag ids of the validation sentences.</param>
    /// <param name="batchSize">Sentences per training batch; at least 1.</param>
    /// <param name="validationBatchSize">Sentences per validation batch; at least 1. Default 256.</param>
    /// <param name="device">Where batches go; default CPU.</param>
    /// <param name="trainCharacters">With a character encoder: the character ids of each training token (see
    /// <c>RnnMl.Text.Tagging.TaggerCharacters</c>); required then, null otherwise.</param>
    /// <param name="validCharacters">The same for the validation sentences.</param>
    /// <param name="trainCasing">With the casing feature (<see cref="SequenceTaggerOptions.HasCasing"/>): the casing id of each
    /// training token (<c>RnnMl.Text.Tagging.TokenCasing.Encode</c>); required then, null otherwise.</param>
    /// <param name="validCasing">The same for the validation sentences.</param>
    /// <exception cref="ArgumentException">Counts differ (naming the row and both counts), a tag is out of range, or an argument is out of range.</exception>
    public SequenceTaggerTrainingTask(SequenceTagger model, IReadOnlyList<long[]> trainTokens, IReadOnlyList<long[]> trainTags,
        IReadOnlyList<long[]> validTokens, IReadOnlyList<long[]> validTags, int batchSize, int validationBatchSize = 256, Device? device = null,
        IReadOnlyList<long[][]>? trainCharacters = null, IReadOnlyList<long[][]>? validCharacters = null,
        IReadOnlyList<long[]>? trainCasing = null, IReadOnlyList<long[]>? validCasing = null)
        : base(model ?? throw new ArgumentNullException(nameof(model)),
            Pairs(trainTokens, trainTags, model.Options, nameof(trainTokens), nameof(trainTags), (trainCharacters, nameof(trainCharacters)), (trainCasing, nameof(trainCasing))),
            Pairs(validTokens, validTags, model.Options, nameof(validTokens), nameof(validTags), (validCharacters, nameof(validCharacters)), (validCasing, nameof(validCasing))),
            s => s.Tokens.Length, batchSize, validationBatchSize, device)
    {
        this.model = model;
        double alpha = model.Options.FrequencyWordDropout;
        if (alpha > 0) wordDropout = WordDropoutByFrequency.Create(alpha, model.Options.VocabularySize, trainTokens, Device);
    }

    /// <inheritdoc />
    protected override BatchResult Evaluate(IReadOnlyList<(long[] Tokens, long[] Tags, long[][]? Characters, long[]? Casing)> sentences, bool training)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var (tokens, lengths) = TokenBatch.Pad(sentences.Select(s => s.Tokens).ToList(), device: Device);
        var (tags, _) = TokenBatch.Pad(sentences.Select(s => s.Tags).ToList(), device: Device);
        var characters = model.Options.HasCharacterEncoder ? CharacterBatch.Pad(sentences.Select(s => s.Characters!).ToList(), Device) : null;
        var casing = model.Options.HasCasing ? TokenBatch.Pad(sentences.Select(s => s.Casing!).ToList(), device: Device).Tokens : null;
        if (training && wordDropout is not null) tokens = wordDropout.Apply(tokens);
        var emissions = model.forward(tokens, lengths, characters, casing);
        long count = sentences.Sum(s => (long)s.Tokens.Length);
        var loss = model.SentenceLoss(emissions, tags, lengths).sum() / count;
        var decoded = model.Decode(emissions.detach(), lengths);
        long correct = 0;
        for (int i = 0; i < sentences.Count; i++)
        {
            var gold = sentences[i].Tags;
            for (int t = 0; t < gold.Length; t++) if (decoded[i][t] == gold[t]) correct++;
        }
        return new BatchResult(loss, count, new Dictionary<string, double> { ["accuracy"] = correct });
    }

    private static (long[] Tokens, long[] Tags, long[][]? Characters, long[]? Casing)[] Pairs(IReadOnlyList<long[]> tokens, IReadOnlyList<long[]> tags, SequenceTaggerOptions options,
        string tokensName, string tagsName, (IReadOnlyList<long[][]>? Ids, string Name) characters, (IReadOnlyList<long[]>? Ids, string Name) casing)
    {
        ArgumentNullException.ThrowIfNull(tokens, tokensName);
        ArgumentNullException.ThrowIfNull(tags, tagsName);
        int tagCount = options.TagCount;
        CharacterBatch.CheckAligned(tokens, characters.Ids, options.HasCharacterEncoder, characters.Name);
        CasingBatch.CheckAligned(tokens, casing.Ids, options.HasCasing, casing.Name);
        if (tokens.Count != tags.Count)
            throw new ArgumentException($"there must be as many tag sequences as token sequences ({tokens.Count}), got {tags.Count}", tagsName);
        var pairs = new List<(long[], long[], long[][]?, long[]?)>(tokens.Count);
        for (int i = 0; i < tokens.Count; i++)
        {
            var x = tokens[i] ?? throw new ArgumentException($"row {i}: the token sequence is null", tokensName);
            var y = tags[i] ?? throw new ArgumentException($"row {i}: the tag sequence is null", tagsName);
            if (x.Length != y.Length)
                throw new ArgumentException($"row {i}: {x.Length} tokens but {y.Length} tags", tagsName);
            for (int t = 0; t < y.Length; t++)
                if (y[t] < 0 || y[t] >= tagCount)
                    throw new ArgumentOutOfRangeException(tagsName, $"row {i}, token {t}: tag ids must be between 0 and {tagCount - 1}, got {y[t]}");
            if (x.Length > 0) pairs.Add((x, y, characters.Ids?[i], casing.Ids?[i]));
        }
        return pairs.ToArray();
    }

    /// <summary>Releases the frequency word-dropout table (the model is the caller's); afterwards a batch throws
    /// <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        wordDropout?.Dispose();
    }
}
