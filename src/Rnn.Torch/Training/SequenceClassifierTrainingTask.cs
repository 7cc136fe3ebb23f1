using RnnMl.Torch.Models;
using RnnMl.Torch.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>
/// Trains a <see cref="SequenceClassifier"/> with <see cref="Trainer"/>: length-bucketed batches of token-id sequences
/// and the cross-entropy of the class logits.
/// </summary>
/// <remarks>
/// loss = −(1/N) Σᵢ Σ_c qᵢ[c] log softmax(zᵢ)[c] over a batch of N sequences and C classes, with qᵢ[c] = (1 − ε)·[c = yᵢ] + ε/C
/// in training (label smoothing ε, <see cref="LabelSmoothing"/>; ε = 0 is the plain cross-entropy −log softmax(zᵢ)[yᵢ]) and
/// ε = 0 in validation, so validation losses stay comparable across ε. Count is N, so epoch losses are per sequence.
/// MetricSums: "accuracy" (sequences whose arg-max class is right, becoming accuracy).
/// </remarks>
/// <example>
/// <code>
/// using var model = SequenceClassifier.Create(new SequenceClassifierOptions { VocabularySize = vocab.Count, ClassCount = 2 });
/// var task = new SequenceClassifierTrainingTask(model, trainIds, trainLabels, validIds, validLabels, batchSize: 64);
/// var result = Trainer.Create(new TrainerOptions { Epochs = 4, SelectionMetric = "accuracy", SelectionMetricHigherIsBetter = true }).Fit(task);
/// </code>
/// </example>
public sealed class SequenceClassifierTrainingTask : BucketedTrainingTask<(long[] Tokens, long Label)>, IParameterGroups
{
    /// <summary>Parameter groups with their own learning-rate factors and unfreeze epochs (e.g. ULMFiT's discriminative
    /// rates and gradual unfreezing), or null to train every parameter that requires grad at one rate. Default null.</summary>
    public IReadOnlyList<ParameterGroup>? ParameterGroups { get; init; }

    /// <summary>Label smoothing ε in [0, 1) for the training loss: the target puts 1 − ε + ε/C on the true class and ε/C on
    /// each of the other C − 1 classes (Szegedy et al. 2016); validation uses the plain cross-entropy. Default 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">ε is outside [0, 1) or not a number.</exception>
    public double LabelSmoothing
    {
        get => labelSmoothing;
        init => labelSmoothing = value is >= 0 and < 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), value, $"label smoothing must be in [0, 1), got {value}");
    }

    private readonly double labelSmoothing;
    private readonly SequenceClassifier model;

    /// <summary>Creates the task.</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="trainTokens">Token ids of the training sequences.</param>
    /// <param name="trainLabels">Their classes, 0 to C − 1, as many as sequences.</param>
    /// <param name="validTokens">Token ids of the validation sequences; empty for no validation.</param>
    /// <param name="validLabels">Their classes.</param>
    /// <param name="batchSize">Sequences per training batch; at least 1.</param>
    /// <param name="validationBatchSize">Sequences per validation batch; at least 1. Default 256.</param>
    /// <param name="device">Where batches go; default CPU.</param>
    /// <exception cref="ArgumentException">Counts differ, a label is outside 0 to C − 1 (naming the row), or a batch size is below 1.</exception>
    public SequenceClassifierTrainingTask(SequenceClassifier model, IReadOnlyList<long[]> trainTokens, IReadOnlyList<long> trainLabels,
        IReadOnlyList<long[]> validTokens, IReadOnlyList<long> validLabels, int batchSize, int validationBatchSize = 256, Device? device = null)
        : base(model, Pairs(model, trainTokens, trainLabels, nameof(trainLabels)), Pairs(model, validTokens, validLabels, nameof(validLabels)),
            e => e.Tokens.Length, batchSize, validationBatchSize, device)
    {
        this.model = model;
    }

    /// <inheritdoc />
    protected override BatchResult Evaluate(IReadOnlyList<(long[] Tokens, long Label)> examples, bool training)
    {
        var (tokens, lengths) = TokenBatch.Pad(examples.Select(e => e.Tokens).ToList(), device: Device);
        var target = tensor(examples.Select(e => e.Label).ToArray(), ScalarType.Int64, Device);
        var logits = model.forward(tokens, lengths);
        var loss = nn.functional.cross_entropy(logits, target, label_smoothing: training ? labelSmoothing : 0.0);
        double correct = logits.argmax(1).eq(target).sum().item<long>();
        return new BatchResult(loss, examples.Count, new Dictionary<string, double> { ["accuracy"] = correct });
    }

    private static (long[] Tokens, long Label)[] Pairs(SequenceClassifier model, IReadOnlyList<long[]> tokens, IReadOnlyList<long> labels, string labelsName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(labels, labelsName);
        if (tokens.Count != labels.Count)
            throw new ArgumentException($"there must be as many labels as token sequences ({tokens.Count}), got {labels.Count}", labelsName);
        int classes = model.Options.ClassCount;
        var pairs = new (long[], long)[tokens.Count];
        for (int i = 0; i < pairs.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= classes)
                throw new ArgumentOutOfRangeException(labelsName, $"row {i}: labels must be between 0 and {classes - 1}, got {labels[i]}");
            pairs[i] = (tokens[i] ?? throw new ArgumentException($"row {i}: the token sequence is null", nameof(tokens)), labels[i]);
        }
        return pairs;
    }
}
