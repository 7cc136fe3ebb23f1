using RnnMl.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>
/// Trains a <see cref="NumericSequenceModel"/> with <see cref="Trainer"/>: length-bucketed batches of numeric sequences
/// (each T_i·F values, step-major) and the model's own loss: squared error against K real targets, or cross-entropy
/// against a class id.
/// </summary>
/// <remarks>
/// Regression: loss = (1/(N·K)) Σᵢ Σₖ (ŷᵢₖ − yᵢₖ)², no extra metric. Classification: loss = −(1/N) Σᵢ log softmax(zᵢ)[yᵢ];
/// MetricSums "accuracy" (sequences whose arg-max class is right). Count is N. Values must be finite (fill or refuse
/// missing values before, e.g. with <see cref="NumericSequenceBatch"/>'s policy); a non-finite value throws naming its row.
/// </remarks>
/// <example>
/// <code>
/// using var model = NumericSequenceModel.Create(new NumericSequenceOptions { FeaturesPerStep = 2, Outputs = 3, Head = NumericSequenceHead.Classification });
/// var task = NumericSequenceTrainingTask.ForClassification(model, trainRows, trainClasses, validRows, validClasses, batchSize: 32);
/// var result = Trainer.Create(new TrainerOptions { Epochs = 10, SelectionMetric = "accuracy", SelectionMetricHigherIsBetter = true }).Fit(task);
/// </code>
/// </example>
public sealed class NumericSequenceTrainingTask : BucketedTrainingTask<(float[] Values, float[]? Targets, long Class)>
{
    private readonly NumericSequenceModel model;

    private NumericSequenceTrainingTask(NumericSequenceModel model, (float[], float[]?, long)[] train, (float[], float[]?, long)[] valid,
        int batchSize, int validationBatchSize, Device? device)
        : base(model, train, valid, e => e.Values.Length / model.Options.FeaturesPerStep, batchSize, validationBatchSize, device)
    {
        this.model = model;
    }

    /// <summary>A regression task (the model's head must be <see cref="NumericSequenceHead.Regression"/>).</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="trainValues">Training sequences, each a positive whole number of steps of F values.</param>
    /// <param name="trainTargets">Their K targets each.</param>
    /// <param name="validValues">Validation sequences; empty for no validation.</param>
    /// <param name="validTargets">Their targets.</param>
    /// <param name="batchSize">Sequences per training batch; at least 1.</param>
    /// <param name="validationBatchSize">Sequences per validation batch; at least 1. Default 256.</param>
    /// <param name="device">Where batches go; default CPU.</param>
    /// <exception cref="ArgumentException">The head is not regression, counts differ, or a row has the wrong length (naming the row).</exception>
    public static NumericSequenceTrainingTask ForRegression(NumericSequenceModel model, IReadOnlyList<float[]> trainValues, IReadOnlyList<float[]> trainTargets,
        IReadOnlyList<float[]> validValues, IReadOnlyList<float[]> validTargets, int batchSize, int validationBatchSize = 256, Device? device = null)
    {
        RequireHead(model, NumericSequenceHead.Regression);
        return new(model, Examples(model, trainValues, trainTargets, null, nameof(trainTargets)), Examples(model, validValues, validTargets, null, nameof(validTargets)),
            batchSize, validationBatchSize, device);
    }

    /// <summary>A classification task (the model's head must be <see cref="NumericSequenceHead.Classification"/>).</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="trainValues">Training sequences, each a positive whole number of steps of F values.</param>
    /// <param name="trainClasses">Their classes, 0 to K − 1.</param>
    /// <param name="validValues">Validation sequences; empty for no validation.</param>
    /// <param name="validClasses">Their classes.</param>
    /// <param name="batchSize">Sequences per training batch; at least 1.</param>
    /// <param name="validationBatchSize">Sequences per validation batch; at least 1. Default 256.</param>
    /// <param name="device">Where batches go; default CPU.</param>
    /// <exception cref="ArgumentException">The head is not classification, counts differ, a class is out of range or a row has the wrong length (naming the row).</exception>
    public static NumericSequenceTrainingTask ForClassification(NumericSequenceModel model, IReadOnlyList<float[]> trainValues, IReadOnlyList<long> trainClasses,
        IReadOnlyList<float[]> validValues, IReadOnlyList<long> validClasses, int batchSize, int validationBatchSize = 256, Device? device = null)
    {
        RequireHead(model, NumericSequenceHead.Classification);
        return new(model, Examples(model, trainValues, null, trainClasses, nameof(trainClasses)), Examples(model, validValues, null, validClasses, nameof(validClasses)),
            batchSize, validationBatchSize, device);
    }

    /// <inheritdoc />
    protected override BatchResult Evaluate(IReadOnlyList<(float[] Values, float[]? Targets, long Class)> examples, bool training)
    {
        var (values, lengths) = NumericSequenceBatch.Create(examples.Select(e => e.Values).ToList(), model.Options.FeaturesPerStep, device: Device);
        var outputs = model.forward(values, lengths);
        if (model.Options.Head == NumericSequenceHead.Regression)
        {
            int k = model.Options.Outputs;
            var targets = tensor(examples.SelectMany(e => e.Targets!).ToArray(), device: Device).reshape(examples.Count, k);
            return new BatchResult(model.Loss(outputs, targets), examples.Count);
        }
        var classes = tensor(examples.Select(e => e.Class).ToArray(), ScalarType.Int64, Device);
        var loss = model.Loss(outputs, classes);
        double correct = outputs.argmax(1).eq(classes).sum().item<long>();
        return new BatchResult(loss, examples.Count, new Dictionary<string, double> { ["accuracy"] = correct });
    }

    private static void RequireHead(NumericSequenceModel model, NumericSequenceHead head)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Options.Head != head)
            throw new ArgumentException($"the model's head must be {head} for this task, got {model.Options.Head}", nameof(model));
    }

    private static (float[], float[]?, long)[] Examples(NumericSequenceModel model, IReadOnlyList<float[]> values, IReadOnlyList<float[]>? targets,
        IReadOnlyList<long>? classes, string labelsName)
    {
        ArgumentNullException.ThrowIfNull(values);
        int count = targets?.Count ?? classes?.Count ?? throw new ArgumentNullException(labelsName);
        if (values.Count != count)
            throw new ArgumentException($"there must be as many labels as sequences ({values.Count}), got {count}", labelsName);
        int f = model.Options.FeaturesPerStep, k = model.Options.Outputs;
        var examples = new (float[], float[]?, long)[count];
        for (int i = 0; i < count; i++)
        {
            var row = values[i] ?? throw new ArgumentException($"row {i}: the sequence is null", nameof(values));
            if (row.Length == 0 || row.Length % f != 0)
                throw new ArgumentException($"row {i} has {row.Length} values, not a positive whole number of steps of {f} features", nameof(values));
            if (targets is not null)
            {
                var t = targets[i];
                if (t is null || t.Length != k)
                    throw new ArgumentException($"row {i}: there must be {k} targets, got {t?.Length.ToString() ?? "null"}", labelsName);
                examples[i] = (row, t, 0);
            }
            else
            {
                long c = classes![i];
                if (c < 0 || c >= k)
                    throw new ArgumentOutOfRangeException(labelsName, $"row {i}: classes must be between 0 and {k - 1}, got {c}");
                examples[i] = (row, null, c);
            }
        }
        return examples;
    }
}
