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
/// becoming token accuracy). Empty sentences are dropped (they hold nothing to learn).
/// </remarks>
public sealed class SequenceTaggerTrainingTask : ITrainingTask<SequenceTaggerTrainingTask.Batch>
{
    private readonly SequenceTagger model;
    private readonly (long[] Tokens, long[] Tags, long[][]? Characters)[] train, valid;
    private readonly int[] trainLengths;
    private readonly int batchSize;
    private readonly int[][] validationBatches;
    private readonly Device device;

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
    /// <exception cref="ArgumentException">Counts differ (naming the row and both counts), a tag is out of range, or an argument is out of range.</exception>
    public SequenceTaggerTrainingTask(SequenceTagger model, IReadOnlyList<long[]> trainTokens, IReadOnlyList<long[]> trainTags,
        IReadOnlyList<long[]> validTokens, IReadOnlyList<long[]> validTags, int batchSize, int validationBatchSize = 256, Device? device = null,
        IReadOnlyList<long[][]>? trainCharacters = null, IReadOnlyList<long[][]>? validCharacters = null)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch size must be at least 1, got {batchSize}");
        if (validationBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(validationBatchSize), validationBatchSize, $"validation batch size must be at least 1, got {validationBatchSize}");
        bool chars = model.Options.HasCharacterEncoder;
        train = Pairs(trainTokens, trainTags, model.Options.TagCount, nameof(trainTokens), nameof(trainTags), trainCharacters, chars, nameof(trainCharacters));
        valid = Pairs(validTokens, validTags, model.Options.TagCount, nameof(validTokens), nameof(validTags), validCharacters, chars, nameof(validCharacters));
        this.batchSize = batchSize;
        this.device = device ?? CPU;
        trainLengths = train.Select(p => p.Tokens.Length).ToArray();
        validationBatches = Enumerable.Range(0, valid.Length).OrderBy(i => valid[i].Tokens.Length).Chunk(validationBatchSize).ToArray();
    }

    /// <summary>A batch: which sentences, from the training or the validation set.</summary>
    /// <param name="Validation">True for validation sentences.</param>
    /// <param name="Rows">Sentence indices (after empty sentences were dropped).</param>
    public sealed record Batch(bool Validation, int[] Rows);

    /// <inheritdoc />
    public nn.Module Model => model;

    /// <inheritdoc />
    public IEnumerable<Batch> TrainingBatches(int epoch, Random random) =>
        LengthBucketing.Batches(trainLengths, batchSize, random).Select(rows => new Batch(false, rows));

    /// <inheritdoc />
    public IEnumerable<Batch> ValidationBatches() => validationBatches.Select(rows => new Batch(true, rows));

    /// <inheritdoc />
    public BatchResult Evaluate(Batch batch, bool training)
    {
        var rows = (batch.Validation ? valid : train);
        var (tokens, lengths) = TokenBatch.Pad(batch.Rows.Select(r => rows[r].Tokens).ToList(), device: device);
        var (tags, _) = TokenBatch.Pad(batch.Rows.Select(r => rows[r].Tags).ToList(), device: device);
        var characters = model.Options.HasCharacterEncoder ? CharacterBatch.Pad(batch.Rows.Select(r => rows[r].Characters!).ToList(), device) : null;
        var emissions = model.forward(tokens, lengths, characters);
        long count = batch.Rows.Sum(r => (long)rows[r].Tokens.Length);
        var loss = model.SentenceLoss(emissions, tags, lengths).sum() / count;
        var decoded = model.Decode(emissions.detach(), lengths);
        long correct = 0;
        for (int i = 0; i < batch.Rows.Length; i++)
        {
            var gold = rows[batch.Rows[i]].Tags;
            for (int t = 0; t < gold.Length; t++) if (decoded[i][t] == gold[t]) correct++;
        }
        return new BatchResult(loss, count, new Dictionary<string, double> { ["accuracy"] = correct });
    }

    private static (long[] Tokens, long[] Tags, long[][]? Characters)[] Pairs(IReadOnlyList<long[]> tokens, IReadOnlyList<long[]> tags, int tagCount,
        string tokensName, string tagsName, IReadOnlyList<long[][]>? characters, bool needsCharacters, string charactersName)
    {
        ArgumentNullException.ThrowIfNull(tokens, tokensName);
        ArgumentNullException.ThrowIfNull(tags, tagsName);
        CharacterBatch.CheckAligned(tokens, characters, needsCharacters, charactersName);
        if (tokens.Count != tags.Count)
            throw new ArgumentException($"there must be as many tag sequences as token sequences ({tokens.Count}), got {tags.Count}", tagsName);
        var pairs = new List<(long[], long[], long[][]?)>(tokens.Count);
        for (int i = 0; i < tokens.Count; i++)
        {
            var x = tokens[i] ?? throw new ArgumentException($"row {i}: the token sequence is null", tokensName);
            var y = tags[i] ?? throw new ArgumentException($"row {i}: the tag sequence is null", tagsName);
            if (x.Length != y.Length)
                throw new ArgumentException($"row {i}: {x.Length} tokens but {y.Length} tags", tagsName);
            for (int t = 0; t < y.Length; t++)
                if (y[t] < 0 || y[t] >= tagCount)
                    throw new ArgumentOutOfRangeException(tagsName, $"row {i}, token {t}: tag ids must be between 0 and {tagCount - 1}, got {y[t]}");
            if (x.Length > 0) pairs.Add((x, y, characters?[i]));
        }
        return pairs.ToArray();
    }
}
