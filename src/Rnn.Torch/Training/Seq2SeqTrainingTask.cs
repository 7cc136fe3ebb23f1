using RnnMl.Torch.Models;
using RnnMl.Torch.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>
/// Trains a <see cref="Seq2SeqModel"/> with <see cref="Trainer"/>: length-bucketed batches of sentence pairs, teacher
/// forcing, and the token-level cross-entropy over target tokens and the end token (padding ignored).
/// </summary>
/// <remarks>
/// Each target is fed as [begin, y₁ … y_k] and predicted as [y₁ … y_k, end]. A batch's loss is the mean over its target
/// tokens, and its Count is that number of tokens, so epoch losses are per token. MetricSums: "accuracy" (tokens predicted
/// right, becoming token accuracy).
/// </remarks>
public sealed class Seq2SeqTrainingTask : ITrainingTask<Seq2SeqTrainingTask.Batch>
{
    private readonly Seq2SeqModel model;
    private readonly IReadOnlyList<long[]> trainSources, trainTargets, validSources, validTargets;
    private readonly int[] trainLengths;
    private readonly int batchSize;
    private readonly int[][] validationBatches;
    private readonly double labelSmoothing;
    private readonly Device device;

    // Logits per chunk: 2^22 floats (16 MB), below glibc's largest mmap threshold (32 MB), so freed chunks are reused.
    private const long ChunkElements = 1L << 22;

    /// <summary>Creates the task.</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="trainSources">Source token ids of the training pairs.</param>
    /// <param name="trainTargets">Target token ids of the training pairs (without begin and end tokens), as many as sources.</param>
    /// <param name="validSources">Source ids of the validation pairs; empty for no validation.</param>
    /// <param name="validTargets">Target ids of the validation pairs.</param>
    /// <param name="batchSize">Pairs per training batch; at least 1.</param>
    /// <param name="validationBatchSize">Pairs per validation batch; at least 1. Default 256.</param>
    /// <param name="labelSmoothing">Label smoothing ε of the cross-entropy, in [0, 1). Default 0.</param>
    /// <param name="device">Where batches go; default CPU.</param>
    /// <exception cref="ArgumentException">Counts differ or an argument is out of range.</exception>
    public Seq2SeqTrainingTask(Seq2SeqModel model, IReadOnlyList<long[]> trainSources, IReadOnlyList<long[]> trainTargets,
        IReadOnlyList<long[]> validSources, IReadOnlyList<long[]> validTargets, int batchSize, int validationBatchSize = 256,
        double labelSmoothing = 0, Device? device = null)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentNullException.ThrowIfNull(trainSources);
        ArgumentNullException.ThrowIfNull(trainTargets);
        ArgumentNullException.ThrowIfNull(validSources);
        ArgumentNullException.ThrowIfNull(validTargets);
        if (trainSources.Count != trainTargets.Count)
            throw new ArgumentException($"there must be as many training targets as sources ({trainSources.Count}), got {trainTargets.Count}", nameof(trainTargets));
        if (validSources.Count != validTargets.Count)
            throw new ArgumentException($"there must be as many validation targets as sources ({validSources.Count}), got {validTargets.Count}", nameof(validTargets));
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch size must be at least 1, got {batchSize}");
        if (validationBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(validationBatchSize), validationBatchSize, $"validation batch size must be at least 1, got {validationBatchSize}");
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, $"label smoothing must be in [0, 1), got {labelSmoothing}");
        this.trainSources = trainSources;
        this.trainTargets = trainTargets;
        this.validSources = validSources;
        this.validTargets = validTargets;
        this.batchSize = batchSize;
        this.labelSmoothing = labelSmoothing;
        this.device = device ?? CPU;
        // Bucketing by the longer side keeps both the encoder's and the decoder's padding small.
        trainLengths = Enumerable.Range(0, trainSources.Count).Select(i => Math.Max(trainSources[i].Length, trainTargets[i].Length)).ToArray();
        validationBatches = Enumerable.Range(0, validSources.Count).OrderBy(i => Math.Max(validSources[i].Length, validTargets[i].Length))
            .Chunk(validationBatchSize).ToArray();
    }

    /// <summary>A batch: which pairs, from the training or the validation set.</summary>
    /// <param name="Validation">True for validation pairs.</param>
    /// <param name="Rows">Pair indices.</param>
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
        var sources = batch.Validation ? validSources : trainSources;
        var targets = batch.Validation ? validTargets : trainTargets;
        var (source, lengths) = TokenBatch.Pad(batch.Rows.Select(r => sources[r]).ToList(), device: device);
        var (input, output) = TeacherForcing(batch.Rows.Select(r => targets[r]).ToList(), model.Options.BeginId, model.Options.EndId, device);
        var features = model.DecoderFeatures(source, lengths, input);
        var gold = output.flatten();
        // Only the real target positions are projected onto the vocabulary, a chunk of rows at a time, and each chunk's
        // logits are freed once its loss and argmax are taken: the (N, T, V) logits never exist, autograd keeps only each
        // chunk's log-softmax, and every allocation stays small enough for the allocator to reuse (no page-fault churn).
        var positions = gold.ne(RnnMl.Text.Vocabulary.PaddingId).nonzero().squeeze(1);
        long count = positions.shape[0];
        var rows = features.view(-1, features.shape[2]).index_select(0, positions);
        var expected = gold.index_select(0, positions);
        long chunk = Math.Max(1, ChunkElements / model.Options.TargetVocabularySize);
        Tensor? lossSum = null;
        Tensor? correct = null;
        for (long start = 0; start < count; start += chunk)
        {
            using var chunkScope = NewDisposeScope();
            long end = Math.Min(count, start + chunk);
            var y = expected[TensorIndex.Slice(start, end)];
            var logits = model.Project(rows[TensorIndex.Slice(start, end)]);
            var part = nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum, label_smoothing: labelSmoothing);
            var right = logits.detach().argmax(1).eq(y).sum();
            lossSum = (lossSum is null ? part : lossSum + part).MoveToOuterDisposeScope();
            correct = (correct is null ? right : correct + right).MoveToOuterDisposeScope();
        }
        var loss = count == 0 ? features.sum() * 0 : lossSum! / count;
        double rightCount = count == 0 ? 0 : correct!.item<long>();
        return new BatchResult(loss, count, new Dictionary<string, double> { ["accuracy"] = rightCount });
    }

    /// <summary>The decoder's input [begin, y…] and expected output [y…, end], padded with 0 to the longest target + 1.</summary>
    /// <param name="targets">Target ids without begin and end tokens.</param>
    /// <param name="beginId">The begin token.</param>
    /// <param name="endId">The end token.</param>
    /// <param name="device">Where to put the tensors; default CPU.</param>
    /// <returns>Input and output, (N, T) int64 each.</returns>
    public static (Tensor Input, Tensor Output) TeacherForcing(IReadOnlyList<long[]> targets, long beginId, long endId, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var input = targets.Select(t => t.Prepend(beginId).ToArray()).ToList();
        var output = targets.Select(t => t.Append(endId).ToArray()).ToList();
        return (TokenBatch.Pad(input, device: device).Tokens, TokenBatch.Pad(output, device: device).Tokens);
    }
}
