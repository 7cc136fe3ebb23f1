using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using RnnMl.MLNet.Internal;
using RnnMl.Text;
using RnnMl.Torch.Models;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Translation;

/// <summary>
/// Trains an attention encoder-decoder (seq2seq) on pairs of sentences inside an ML.NET pipeline; the transformer adds
/// the translated text. Created by <c>mlContext.Transforms.Text.TranslateText(...)</c>.
/// </summary>
public sealed class RecurrentTranslatorEstimator : IEstimator<RecurrentTranslatorTransformer>
{
    private readonly IHostEnvironment env;
    private readonly RecurrentTranslatorOptions options;

    internal RecurrentTranslatorEstimator(IHostEnvironment env, RecurrentTranslatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.env = env;
        this.options = options.Clone();
    }

    /// <summary>A copy of the options this estimator uses.</summary>
    public RecurrentTranslatorOptions Options => options.Clone();

    /// <inheritdoc />
    public RecurrentTranslatorTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>Trains on <paramref name="trainData"/>, selecting the best epoch (lowest loss) on <paramref name="validationData"/>.</summary>
    /// <param name="trainData">Rows with the source and target text columns.</param>
    /// <param name="validationData">Pairs for validation; null to hold out <see cref="RecurrentTranslatorOptions.ValidationFraction"/> of the training pairs.</param>
    /// <returns>The trained transformer, with the weights of the best validation epoch.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or not String.</exception>
    /// <exception cref="InvalidOperationException">No training pairs, or a GPU was asked for and is absent.</exception>
    public RecurrentTranslatorTransformer Fit(IDataView trainData, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        var host = env.Register("RnnMl.RecurrentTranslator");
        using var channel = host.Start("Training");
        int seed = options.Seed ?? host.Rand.Next();

        var train = ReadPairs(trainData);
        List<(string Source, string Target)> valid;
        if (validationData is not null) valid = ReadPairs(validationData);
        else (train, valid) = Split(train, options.ValidationFraction, seed);
        if (train.Count == 0)
            throw new InvalidOperationException($"no training pairs in columns '{options.SourceColumnName}' and '{options.TargetColumnName}'");

        var sourceTokenizer = Tokenizer.Create(options.SourceTokenizer, options.LowerCase, options.Normalization);
        var targetTokenizer = Tokenizer.Create(options.TargetTokenizer, options.LowerCase, options.Normalization);
        var sourceVocabulary = Vocabulary.Build(train.Select(p => sourceTokenizer.Tokenize(p.Source)), options.MinTokenCount, options.MaxSourceVocabularySize);
        var targetVocabulary = Vocabulary.Build(train.Select(p => targetTokenizer.Tokenize(p.Target)), options.MinTokenCount, options.MaxTargetVocabularySize, Seq2SeqOptions.TargetSpecialTokens);
        var source = new TokenEncoder(InputColumnKind.Text, sourceTokenizer, sourceVocabulary, 0, options.MaxSourceLength);
        var device = DeviceSelection.Choose(EnvironmentAccess.GpuDeviceId(env), EnvironmentAccess.FallbackToCpu(env), channel);
        manual_seed(seed);
        var model = Seq2SeqModel.Create(options.ModelOptions(sourceVocabulary.Count, targetVocabulary.Count), device);
        var core = new TranslatorCore(model, source, targetTokenizer, targetVocabulary, options.DecodingOptions(), device);
        TrainingResult result;
        try
        {
            var (trainSources, trainTargets) = Encode(core, train, "training", channel);
            var (validSources, validTargets) = Encode(core, valid, "validation", channel);
            channel.Info(MessageSensitivity.None, $"{train.Count} training pairs, {valid.Count} validation pairs, {sourceVocabulary.Count} source and {targetVocabulary.Count} target token ids, seed {seed}");
            var task = new Seq2SeqTrainingTask(model, trainSources, trainTargets, validSources, validTargets, options.BatchSize,
                options.PredictionBatchSize, options.LabelSmoothing, device);
            using var time = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
            if (options.MaxTrainingTime is { } limit) time.CancelAfter(limit);
            model.train();
            try
            {
                result = Trainer.Create(options.TrainerOptions(seed)).Fit(task, new ChannelProgress(channel, options.Progress), time.Token);
            }
            finally
            {
                model.eval();
            }
        }
        catch
        {
            core.Dispose();
            throw;
        }
        if (result.StopReason is TrainingStopReason.NonFiniteLoss or TrainingStopReason.Cancelled or TrainingStopReason.Diverged)
            channel.Warning(MessageSensitivity.None, result.Message ?? result.StopReason.ToString());
        return new RecurrentTranslatorTransformer(core, options.SourceColumnName, options.OutputColumnName, options.PredictionBatchSize, result);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The source or target column is missing or not String.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var (name, what) in new[] { (options.SourceColumnName, "source"), (options.TargetColumnName, "target") })
        {
            var found = inputSchema.Where(c => c.Name == name).ToList();
            if (found.Count == 0)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Could not find {what} column '{name}'");
            var column = found[^1];
            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType || column.IsKey)
            {
                var item = column.IsKey ? $"Key<{column.ItemType}>" : column.ItemType.ToString();
                var type = column.Kind == SchemaShape.Column.VectorKind.Scalar ? item : $"Vector<{item}>";
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Schema mismatch for {what} column '{name}': expected String, got {type}");
            }
        }
        return SchemaShapes.Text(inputSchema, options.OutputColumnName);
    }

    private List<(string Source, string Target)> ReadPairs(IDataView data)
    {
        var sourceColumn = TranslationBinding.TextColumn(data.Schema, options.SourceColumnName);
        var targetColumn = TranslationBinding.TextColumn(data.Schema, options.TargetColumnName, "target");
        var pairs = new List<(string, string)>();
        using var cursor = data.GetRowCursor(new[] { sourceColumn, targetColumn });
        var getSource = cursor.GetGetter<ReadOnlyMemory<char>>(sourceColumn);
        var getTarget = cursor.GetGetter<ReadOnlyMemory<char>>(targetColumn);
        ReadOnlyMemory<char> s = default, t = default;
        while (cursor.MoveNext())
        {
            getSource(ref s);
            getTarget(ref t);
            pairs.Add((s.ToString(), t.ToString()));
        }
        return pairs;
    }

    private (List<long[]> Sources, List<long[]> Targets) Encode(TranslatorCore core, List<(string Source, string Target)> pairs, string what, IChannel channel)
    {
        var sources = new List<long[]>(pairs.Count);
        var targets = new List<long[]>(pairs.Count);
        int cutSources = 0, cutTargets = 0;
        foreach (var (s, t) in pairs)
        {
            var full = core.Source.Vocabulary!.Encode(core.Source.Tokenizer.Tokenize(s));
            if (full.Length > options.MaxSourceLength) cutSources++;
            sources.Add(full.Length > options.MaxSourceLength ? full[..options.MaxSourceLength] : full);
            targets.Add(core.EncodeTarget(t, options.MaxTargetLength, out bool cut));
            if (cut) cutTargets++;
        }
        if (cutSources > 0)
            channel.Warning(MessageSensitivity.None, $"{cutSources} {what} source(s) longer than MaxSourceLength = {options.MaxSourceLength} tokens were cut to it");
        if (cutTargets > 0)
            channel.Warning(MessageSensitivity.None, $"{cutTargets} {what} target(s) longer than MaxTargetLength = {options.MaxTargetLength} tokens were cut to it");
        return (sources, targets);
    }

    private static (List<(string, string)> Train, List<(string, string)> Valid) Split(List<(string, string)> all, double fraction, int seed)
    {
        int n = all.Count;
        int validCount = fraction > 0 && n > 1 ? Math.Clamp((int)Math.Round(n * fraction), 1, n - 1) : 0;
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        var valid = new HashSet<int>(order.Take(validCount));
        return (Enumerable.Range(0, n).Where(i => !valid.Contains(i)).Select(i => all[i]).ToList(),
                Enumerable.Range(0, n).Where(valid.Contains).Select(i => all[i]).ToList());
    }
}
