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
public sealed class Seq2SeqTrainingTask : BucketedTrainingTask<(long[] Source, long[] Target)>
{
    private readonly Seq2SeqModel model;
    private readonly double labelSmoothing;

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
        // Bucketing by the longer side keeps both the encoder's and the decoder's padding small.
        : base(model ?? throw new ArgumentNullException(nameof(model)), Pairs(trainSources, trainTargets, "training", nameof(trainTargets)),
            Pairs(validSources, validTargets, "validation", nameof(validTargets)), p => Math.Max(p.Source.Length, p.Target.Length),
            batchSize, validationBatchSize, device)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, $"label smoothing must be in [0, 1), got {labelSmoothing}");
        this.model = model;
        this.labelSmoothing = labelSmoothing;
    }

    /// <inheritdoc />
    protected override BatchResult Evaluate(IReadOnlyList<(long[] Source, long[] Target)> pairs, bool training)
    {
        var (source, lengths) = TokenBatch.Pad(pairs.Select(p => p.Source).ToList(), device: Device);
        var (input, output) = TeacherForcing(pairs.Select(p => p.Target).ToList(), model.Options.BeginId, model.Options.EndId, Device);
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

    private static (long[] Source, long[] Target)[] Pairs(IReadOnlyList<long[]> sources, IReadOnlyList<long[]> targets, string what, string targetsName)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(targets, targetsName);
        if (sources.Count != targets.Count)
            throw new ArgumentException($"there must be as many {what} targets as sources ({sources.Count}), got {targets.Count}", targetsName);
        return Enumerable.Range(0, sources.Count).Select(i => (sources[i], targets[i])).ToArray();
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
