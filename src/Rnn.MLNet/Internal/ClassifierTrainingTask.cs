using RnnMl.Torch.Models;
using RnnMl.Text;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>Supplies the training loop with length-bucketed batches of encoded text and the cross-entropy loss.</summary>
internal sealed class ClassifierTrainingTask : ITrainingTask<ClassifierTrainingTask.Batch>
{
    private readonly SequenceClassifier model;
    private readonly IReadOnlyList<long[]> trainIds, validIds;
    private readonly IReadOnlyList<long> trainLabels, validLabels;
    private readonly int[] trainLengths;
    private readonly int batchSize;
    private readonly int[][] validationBatches;
    private readonly Device device;

    public ClassifierTrainingTask(SequenceClassifier model, IReadOnlyList<long[]> trainIds, IReadOnlyList<long> trainLabels,
        IReadOnlyList<long[]> validIds, IReadOnlyList<long> validLabels, int batchSize, int validationBatchSize, Device device)
    {
        this.model = model;
        this.trainIds = trainIds;
        this.trainLabels = trainLabels;
        this.validIds = validIds;
        this.validLabels = validLabels;
        this.batchSize = batchSize;
        this.device = device;
        trainLengths = trainIds.Select(s => s.Length).ToArray();
        // Validation needs no shuffling: large batches of similar lengths make its forward passes cheap.
        validationBatches = Enumerable.Range(0, validIds.Count).OrderBy(i => validIds[i].Length)
            .Chunk(validationBatchSize).ToArray();
    }

    public sealed record Batch(bool Validation, int[] Rows);

    public nn.Module Model => model;

    public IEnumerable<Batch> TrainingBatches(int epoch, Random random) =>
        LengthBucketing.Batches(trainLengths, batchSize, random).Select(rows => new Batch(false, rows));

    public IEnumerable<Batch> ValidationBatches() => validationBatches.Select(rows => new Batch(true, rows));

    public BatchResult Evaluate(Batch batch, bool training)
    {
        var ids = batch.Validation ? validIds : trainIds;
        var labels = batch.Validation ? validLabels : trainLabels;
        var (tokens, lengths) = TokenBatch.Pad(batch.Rows.Select(r => ids[r]).ToList(), device: device);
        var target = tensor(batch.Rows.Select(r => labels[r]).ToArray(), ScalarType.Int64, device);
        var logits = model.forward(tokens, lengths);
        var loss = nn.functional.cross_entropy(logits, target);
        double correct = logits.argmax(1).eq(target).sum().item<long>();
        return new BatchResult(loss, batch.Rows.Length, new Dictionary<string, double> { ["accuracy"] = correct });
    }
}
