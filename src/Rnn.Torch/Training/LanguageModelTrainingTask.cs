using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>
/// Language modelling for <see cref="Trainer"/>: the training stream is read as N contiguous streams in chunks of k
/// steps (<see cref="StreamBatching"/>), the state is carried from chunk to chunk and cut every k steps
/// (<see cref="TruncatedBptt"/>), and the loss is the mean next-token cross-entropy.
/// </summary>
/// <remarks>
/// Every epoch (and every validation pass) starts its streams from a zero state. Each batch reports the metric sum
/// <c>"bits"</c> (the batch's cross-entropy in bits, summed over its tokens), so the epoch's metric
/// <c>"bits"</c> is bits per token: bits per character for a character model. The carried state lives outside the
/// trainer's dispose scopes; dispose the task when training is done.
/// </remarks>
public sealed class LanguageModelTrainingTask : ITrainingTask<StreamChunk>, IDisposable
{
    /// <summary>The metric key of the bits-per-token sums.</summary>
    public const string BitsMetric = "bits";

    private readonly LanguageModel model;
    private readonly long[] trainIds;
    private readonly long[]? validIds;
    private readonly TruncatedBptt trainState;
    private readonly TruncatedBptt validState;

    private LanguageModelTrainingTask(LanguageModel model, long[] trainIds, long[]? validIds, int streams, int steps, int validationStreams)
    {
        this.model = model;
        this.trainIds = trainIds;
        this.validIds = validIds;
        Streams = streams;
        Steps = steps;
        ValidationStreams = validationStreams;
        trainState = TruncatedBptt.Create(model.Recurrent, steps);
        validState = TruncatedBptt.Create(model.Recurrent, steps);
    }

    /// <summary>Creates the task.</summary>
    /// <param name="model">The model to train (not owned).</param>
    /// <param name="trainIds">The training stream (e.g. from <c>TextStream.EncodeStream</c>); long enough for <paramref name="streams"/> streams.</param>
    /// <param name="validIds">The validation stream, or null (or empty) for no validation.</param>
    /// <param name="streams">N, training streams per batch; at least 1. Default 32.</param>
    /// <param name="steps">k, steps per chunk and between graph cuts; at least 1. Default 100.</param>
    /// <param name="validationStreams">Streams for validation; at least 1, cut to what the validation stream can fill. Default 8.</param>
    /// <exception cref="ArgumentException">An argument is out of range or a stream is too short.</exception>
    public static LanguageModelTrainingTask Create(LanguageModel model, long[] trainIds, long[]? validIds = null, int streams = 32, int steps = 100, int validationStreams = 8)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trainIds);
        if (validationStreams < 1)
            throw new ArgumentOutOfRangeException(nameof(validationStreams), validationStreams, $"validation streams must be at least 1, got {validationStreams}");
        // Validates streams and steps and the training stream's length now, not at the first epoch.
        _ = StreamBatching.Chunks(trainIds, streams, steps);
        CheckIds(trainIds, model.Options.VocabularySize, nameof(trainIds));
        if (validIds is { Length: > 0 })
        {
            CheckIds(validIds, model.Options.VocabularySize, nameof(validIds));
            if (validIds.Length < 2)
                throw new ArgumentException($"a validation stream needs at least 2 tokens, got {validIds.Length}", nameof(validIds));
            validationStreams = (int)Math.Min(validationStreams, validIds.Length - 1);
        }
        return new LanguageModelTrainingTask(model, trainIds, validIds is { Length: > 0 } ? validIds : null, streams, steps, validationStreams);
    }

    /// <summary>N, training streams per batch.</summary>
    public int Streams { get; }

    /// <summary>k, steps per chunk.</summary>
    public int Steps { get; }

    /// <summary>Streams read side by side in validation.</summary>
    public int ValidationStreams { get; }

    /// <summary>Tokens predicted per training epoch: N · S.</summary>
    public long TokensPerEpoch => StreamBatching.StepsPerStream(trainIds.Length, Streams) * Streams;

    /// <inheritdoc />
    public nn.Module Model => model;

    /// <inheritdoc />
    public IEnumerable<StreamChunk> TrainingBatches(int epoch, Random random) => StreamBatching.Chunks(trainIds, Streams, Steps, model.Device);

    /// <inheritdoc />
    public IEnumerable<StreamChunk> ValidationBatches() => validIds is null
        ? Array.Empty<StreamChunk>()
        : StreamBatching.Chunks(validIds, ValidationStreams, Steps, model.Device);

    /// <inheritdoc />
    public BatchResult Evaluate(StreamChunk batch, bool training)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var runner = training ? trainState : validState;
        if (batch.Index == 0) runner.Reset();
        return ChunkLoss(model, runner, batch);
    }

    /// <summary>The mean cross-entropy of one chunk, run from <paramref name="runner"/>'s carried state (which it then advances).</summary>
    internal static BatchResult ChunkLoss(LanguageModel model, TruncatedBptt runner, StreamChunk batch)
    {
        var logits = model.Project(runner.Step(model.Embed(batch.Input)));
        var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), batch.Target.reshape(-1));
        long count = batch.Target.numel();
        double bits = loss.detach().to(ScalarType.Float64).item<double>() * count / Math.Log(2);
        return new BatchResult(loss, count, new Dictionary<string, double> { [BitsMetric] = bits });
    }

    private static void CheckIds(long[] ids, int vocabularySize, string name)
    {
        for (int i = 0; i < ids.Length; i++)
            if (ids[i] < 0 || ids[i] >= vocabularySize)
                throw new ArgumentOutOfRangeException(name, $"token ids must be between 0 and {vocabularySize - 1}, got {ids[i]} at position {i}");
    }

    /// <summary>Disposes the carried states (not the model).</summary>
    public void Dispose()
    {
        trainState.Dispose();
        validState.Dispose();
    }
}
