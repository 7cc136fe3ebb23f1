using System.Globalization;
using RnnMl.Torch.Decoding;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Generation;

/// <summary>The text generator's plug-in to the fit pipeline: the rows of the text column as one stream (the last rows
/// held out), the stream's vocabulary, <see cref="LanguageModelTrainingTask"/>, and the generated-text column.</summary>
internal sealed class GeneratorFit(RecurrentTextGeneratorOptions options)
    : TaskFit<string, LanguageModel, RecurrentTextGeneratorTransformer>
{
    private SamplingOptions sampling = options.Sampling;
    private TextStream? stream;
    private long[] trainIds = [], validIds = [];

    /// <summary>The input shape with the generated-text column added; the text column must be String, and the prompt
    /// column, if the data has one, too.</summary>
    public static SchemaShape OutputSchema(RecurrentTextGeneratorOptions options, SchemaShape input)
    {
        ColumnCheck.RequireText(input, options.TextColumnName);
        ColumnCheck.RequireText(input, options.PromptColumnName, required: false);
        return SchemaShapes.Text(input, options.OutputColumnName);
    }

    protected override bool HoldOutLastRows => true;

    protected override string NoTrainingRows => $"no training rows in column '{options.TextColumnName}'";

    // The optimizer steps through the streams' chunks, not rows; the trainer's epoch count needs no raising here.
    protected override int TrainingExamples => trainIds.Length;

    protected override List<string> Read(IDataView data, string what, FitContext context)
    {
        if (what == "training" && sampling.Seed is null)
            // Drawn once, right after the seed, and saved with the model: a model always gives the same text for a prompt.
            sampling = sampling with { Seed = context.Host.Rand.Next() };
        var column = ColumnCheck.RequireText(data.Schema, options.TextColumnName);
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

    protected override void Prepare(List<string> train, List<string> valid, FitContext context)
    {
        var tokenizer = SubwordTokens.Reading(options.Tokenizer, options.LowerCase, options.Normalization);
        if (options.Tokenizer == TokenizerKind.Subword) tokenizer = SubwordTokens.Learn(train, tokenizer, options, context.Channel);
        stream = tokenizer.Subwords is { } subwords ? TextStream.Create(tokenizer, subwords.ToVocabulary([TextStream.LineBreakToken]))
            : TextStream.Build(train, tokenizer, options.MinTokenCount, options.MaxVocabularySize);
        trainIds = stream.EncodeStream(train);
        validIds = stream.EncodeStream(valid);
        if (StreamBatching.StepsPerStream(trainIds.Length, options.Streams) < 1)
            throw new InvalidOperationException($"the training text in column '{options.TextColumnName}' has {trainIds.Length} tokens, too few for {options.Streams} streams (Streams); it needs at least {options.Streams + 1}");
        context.Channel.Info(MessageSensitivity.None, $"{train.Count} training rows ({trainIds.Length} tokens), {valid.Count} validation rows ({validIds.Length} tokens), {stream.Count} token ids, seed {context.Seed}");
    }

    protected override LanguageModel CreateModel(Device device) => LanguageModel.Create(options.ModelOptions(stream!.Count), device);

    protected override TrainingResult Train(LanguageModel model, Trainer trainer, IProgress<TrainingProgress> progress, CancellationToken token, Device device)
    {
        using var task = LanguageModelTrainingTask.Create(model, trainIds, validIds.Length > 1 ? validIds : null, options.Streams, options.BpttSteps);
        var generator = TextGenerator.Create(model, stream!);
        return trainer.Fit(task, new EpochHook(progress, options.EpochCompleted, generator), token);
    }

    protected override IProgress<TrainingProgress> Progress(FitContext context) =>
        new ChannelProgress(context.Channel, options.Progress,
            e => $"train {Bits(e.TrainMetrics)} bits/token" + (e.ValidationLoss is null ? "" : $", validation {Bits(e.ValidationMetrics)} bits/token{(e.IsBest ? " (best)" : "")}") + $" in {e.Duration.TotalSeconds:F1} s");

    protected override RecurrentTextGeneratorTransformer Bind(LanguageModel model, Device device, TrainingResult result)
    {
        var columns = new GeneratorColumns(options.PromptColumnName, options.OutputColumnName, options.TextColumnName);
        return new RecurrentTextGeneratorTransformer(model, stream!, columns, sampling, options.PredictionBatchSize, result);
    }

    private static string Bits(IReadOnlyDictionary<string, double> metrics) =>
        metrics.TryGetValue(LanguageModelTrainingTask.BitsMetric, out var b) ? b.ToString("F3", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>Passes reports on and calls the epoch callback with a generator over the current weights.</summary>
    private sealed class EpochHook(IProgress<TrainingProgress> inner, Action<EpochMetrics, TextGenerator>? epochCompleted, TextGenerator generator) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            inner.Report(value);
            if (value.CompletedEpoch is { } e && epochCompleted is not null) epochCompleted(e, generator);
        }
    }
}
