using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>
/// The batching every sequence task shares: training batches of examples of similar length, shuffled per epoch by the
/// trainer's seed (<see cref="LengthBucketing"/>); validation batches sorted by length, in a fixed order. A task
/// derives from it and supplies only its loss on a list of examples.
/// </summary>
/// <typeparam name="TExample">One example as the task holds it, e.g. (token ids, label) or (source ids, target ids).</typeparam>
/// <example>
/// A task that regresses the mean of a sequence of ids (illustrative):
/// <code>
/// sealed class MeanTask(MyModel model, IReadOnlyList&lt;long[]&gt; train, IReadOnlyList&lt;long[]&gt; valid)
///     : BucketedTrainingTask&lt;long[]&gt;(model, train, valid, x =&gt; x.Length, batchSize: 32)
/// {
///     protected override BatchResult Evaluate(IReadOnlyList&lt;long[]&gt; examples, bool training) { ... }
/// }
/// </code>
/// </example>
public abstract class BucketedTrainingTask<TExample> : ITrainingTask<ExampleBatch>
{
    private readonly IReadOnlyList<TExample> train, valid;
    private readonly int[] trainLengths;
    private readonly int batchSize;
    private readonly int[][] validationBatches;

    /// <summary>Holds the examples and plans the validation batches.</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="train">The training examples.</param>
    /// <param name="valid">The validation examples; empty for no validation.</param>
    /// <param name="length">The length that groups an example with others (its padded size).</param>
    /// <param name="batchSize">Examples per training batch; at least 1.</param>
    /// <param name="validationBatchSize">Examples per validation batch; at least 1. Default 256.</param>
    /// <param name="device">Where batches go; default CPU.</param>
    /// <exception cref="ArgumentOutOfRangeException">A batch size is below 1.</exception>
    protected BucketedTrainingTask(nn.Module model, IReadOnlyList<TExample> train, IReadOnlyList<TExample> valid,
        Func<TExample, int> length, int batchSize, int validationBatchSize = 256, Device? device = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        this.train = train ?? throw new ArgumentNullException(nameof(train));
        this.valid = valid ?? throw new ArgumentNullException(nameof(valid));
        ArgumentNullException.ThrowIfNull(length);
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch size must be at least 1, got {batchSize}");
        if (validationBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(validationBatchSize), validationBatchSize, $"validation batch size must be at least 1, got {validationBatchSize}");
        this.batchSize = batchSize;
        Device = device ?? CPU;
        trainLengths = train.Select(length).ToArray();
        // Validation needs no shuffling: batches of similar lengths make its forward passes cheap.
        validationBatches = Enumerable.Range(0, valid.Count).OrderBy(i => length(valid[i])).Chunk(validationBatchSize).ToArray();
    }

    /// <inheritdoc />
    public nn.Module Model { get; }

    /// <summary>Where batches go.</summary>
    protected Device Device { get; }

    /// <summary>The number of training examples.</summary>
    public int TrainingCount => train.Count;

    /// <summary>The number of validation examples.</summary>
    public int ValidationCount => valid.Count;

    /// <inheritdoc />
    public IEnumerable<ExampleBatch> TrainingBatches(int epoch, Random random) =>
        LengthBucketing.Batches(trainLengths, batchSize, random).Select(rows => new ExampleBatch(false, rows));

    /// <inheritdoc />
    public IEnumerable<ExampleBatch> ValidationBatches() => validationBatches.Select(rows => new ExampleBatch(true, rows));

    /// <inheritdoc />
    public BatchResult Evaluate(ExampleBatch batch, bool training)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var source = batch.Validation ? valid : train;
        return Evaluate(batch.Rows.Select(r => source[r]).ToList(), training);
    }

    /// <summary>Runs the model on <paramref name="examples"/> and computes their loss (see <see cref="ITrainingTask{TBatch}.Evaluate"/>).</summary>
    /// <param name="examples">The batch's examples, in batch order.</param>
    /// <param name="training">True for a training batch (keep the graph), false for validation.</param>
    protected abstract BatchResult Evaluate(IReadOnlyList<TExample> examples, bool training);
}
