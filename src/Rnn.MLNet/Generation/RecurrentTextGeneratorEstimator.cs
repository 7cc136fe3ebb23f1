using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using RnnMl.MLNet.Internal;
using RnnMl.Text;
using RnnMl.Torch.Decoding;
using RnnMl.Torch.Models;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Generation;

/// <summary>
/// Learns a recurrent language model (character-level by default) from a text column and gives a transformer that
/// continues the prompts of a prompt column. Created by <c>mlContext.Transforms.Text.GenerateText(...)</c>.
/// </summary>
/// <remarks>
/// The rows of the text column are read in order as one long text, a line break before each row; it is cut into
/// <see cref="RecurrentTextGeneratorOptions.Streams"/> contiguous streams trained with truncated BPTT. Validation (best
/// epoch, early stopping, bits per token in the log) uses the rows of the validation data, or the last
/// <see cref="RecurrentTextGeneratorOptions.ValidationFraction"/> of the rows.
/// </remarks>
public sealed class RecurrentTextGeneratorEstimator : IEstimator<RecurrentTextGeneratorTransformer>
{
    private readonly IHostEnvironment env;
    private readonly RecurrentTextGeneratorOptions options;

    internal RecurrentTextGeneratorEstimator(IHostEnvironment env, RecurrentTextGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.env = env;
        this.options = options.Clone();
    }

    /// <summary>A copy of the options this estimator uses.</summary>
    public RecurrentTextGeneratorOptions Options => options.Clone();

    /// <inheritdoc />
    public RecurrentTextGeneratorTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>Trains on the text of <paramref name="trainData"/>, validating on <paramref name="validationData"/>.</summary>
    /// <param name="trainData">Rows with the text column.</param>
    /// <param name="validationData">Rows for validation; null to hold out the last <see cref="RecurrentTextGeneratorOptions.ValidationFraction"/> of the training rows.</param>
    /// <returns>The trained transformer, with the weights of the best validation epoch.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not String.</exception>
    /// <exception cref="InvalidOperationException">The text is too short for the streams asked for, or a GPU was asked for and is absent.</exception>
    public RecurrentTextGeneratorTransformer Fit(IDataView trainData, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        var host = env.Register("RnnMl.RecurrentTextGenerator");
        using var channel = host.Start("Training");
        int seed = options.Seed ?? host.Rand.Next();
        var sampling = options.Sampling.Seed is null ? options.Sampling with { Seed = host.Rand.Next() } : options.Sampling;

        var lines = ReadText(trainData);
        List<string> validLines;
        if (validationData is not null)
        {
            validLines = ReadText(validationData);
        }
        else
        {
            int held = options.ValidationFraction > 0 && lines.Count > 1 ? Math.Clamp((int)Math.Round(lines.Count * options.ValidationFraction), 1, lines.Count - 1) : 0;
            validLines = lines.GetRange(lines.Count - held, held);
            lines.RemoveRange(lines.Count - held, held);
        }

        var tokenizer = Tokenizer.Create(options.Tokenizer, options.LowerCase, options.Normalization);
        var stream = TextStream.Build(lines, tokenizer, options.MinTokenCount, options.MaxVocabularySize);
        var trainIds = stream.EncodeStream(lines);
        var validIds = stream.EncodeStream(validLines);
        if (StreamBatching.StepsPerStream(trainIds.Length, options.Streams) < 1)
            throw new InvalidOperationException($"the training text in column '{options.TextColumnName}' has {trainIds.Length} tokens, too few for {options.Streams} streams (Streams); it needs at least {options.Streams + 1}");
        channel.Info(MessageSensitivity.None, $"{lines.Count} training rows ({trainIds.Length} tokens), {validLines.Count} validation rows ({validIds.Length} tokens), {stream.Count} token ids, seed {seed}");

        var device = DeviceSelection.Choose(EnvironmentAccess.GpuDeviceId(env), EnvironmentAccess.FallbackToCpu(env), channel);
        manual_seed(seed);
        var model = LanguageModel.Create(options.ModelOptions(stream.Count), device);
        TrainingResult result;
        try
        {
            using var task = LanguageModelTrainingTask.Create(model, trainIds, validIds.Length > 1 ? validIds : null, options.Streams, options.BpttSteps);
            var generator = TextGenerator.Create(model, stream);
            var progress = new ChannelProgress(channel, new EpochHook(options.Progress, options.EpochCompleted, generator),
                e => $"train {Bits(e.TrainMetrics)} bits/token" + (e.ValidationLoss is null ? "" : $", validation {Bits(e.ValidationMetrics)} bits/token{(e.IsBest ? " (best)" : "")}") + $" in {e.Duration.TotalSeconds:F1} s");
            result = Trainer.Create(options.TrainerOptions(seed)).Fit(task, progress, options.CancellationToken);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        if (result.StopReason is TrainingStopReason.NonFiniteLoss or TrainingStopReason.Cancelled or TrainingStopReason.Diverged)
            channel.Warning(MessageSensitivity.None, result.Message ?? result.StopReason.ToString());
        var columns = new GeneratorColumns(options.PromptColumnName, options.OutputColumnName, options.TextColumnName);
        return new RecurrentTextGeneratorTransformer(model, stream, columns, sampling, options.PredictionBatchSize, result);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not String, or the prompt column is present and not String.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        // The text column is what Fit needs; the prompt column, if the data has one, must be text too.
        CheckShape(inputSchema, options.TextColumnName, required: true);
        CheckShape(inputSchema, options.PromptColumnName, required: false);
        return SchemaShapes.Text(inputSchema, options.OutputColumnName);
    }

    private static void CheckShape(SchemaShape shape, string name, bool required)
    {
        SchemaShape.Column? found = null;
        foreach (var c in shape)
            if (c.Name == name) found = c;
        if (found is not { } column)
        {
            if (required) throw new ArgumentOutOfRangeException("inputSchema", $"Could not find input column '{name}'");
            return;
        }
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
        {
            var item = column.IsKey ? $"Key<{column.ItemType}>" : column.ItemType.ToString();
            var actual = column.Kind == SchemaShape.Column.VectorKind.Scalar ? item : $"Vector<{item}>";
            throw new ArgumentOutOfRangeException("inputSchema", $"Schema mismatch for input column '{name}': expected String, got {actual}");
        }
    }

    private List<string> ReadText(IDataView data)
    {
        var column = GeneratorColumns.RequireText(data.Schema, options.TextColumnName);
        var lines = new List<string>();
        using var cursor = data.GetRowCursor(new[] { column });
        var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            get(ref value);
            lines.Add(value.ToString());
        }
        return lines;
    }

    private static string Bits(IReadOnlyDictionary<string, double> metrics) =>
        metrics.TryGetValue(LanguageModelTrainingTask.BitsMetric, out var b) ? b.ToString("F3", System.Globalization.CultureInfo.InvariantCulture) : "n/a";

    /// <summary>Passes reports on to the user and calls the epoch callback with a generator over the current weights.</summary>
    private sealed class EpochHook(IProgress<TrainingProgress>? user, Action<EpochMetrics, TextGenerator>? epochCompleted, TextGenerator generator) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            user?.Report(value);
            if (value.CompletedEpoch is { } e && epochCompleted is not null) epochCompleted(e, generator);
        }
    }
}
