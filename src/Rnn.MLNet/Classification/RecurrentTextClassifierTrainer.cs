using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using RnnMl.MLNet.Internal;
using RnnMl.Torch.Models;
using RnnMl.Text;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Classification;

/// <summary>
/// Trains a recurrent text classifier (embedding → RNN/LSTM/GRU encoder → pooling → linear) inside an ML.NET pipeline.
/// Created by <c>mlContext.BinaryClassification.Trainers.RecurrentTextClassifier(...)</c> or
/// <c>mlContext.MulticlassClassification.Trainers.RecurrentTextClassifier(...)</c>.
/// </summary>
public sealed class RecurrentTextClassifierTrainer : IEstimator<RecurrentTextClassifierTransformer>
{
    private readonly IHostEnvironment env;
    private readonly RecurrentTextClassifierOptions options;

    internal RecurrentTextClassifierTrainer(IHostEnvironment env, RecurrentTextClassifierOptions options, ClassificationKind kind)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.env = env;
        this.options = options.Clone();
        Kind = kind;
    }

    /// <summary>Binary or multiclass.</summary>
    public ClassificationKind Kind { get; }

    /// <summary>A copy of the options this trainer uses.</summary>
    public RecurrentTextClassifierOptions Options => options.Clone();

    /// <inheritdoc />
    public RecurrentTextClassifierTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>Trains on <paramref name="trainData"/>, selecting the best epoch (and stopping early) on <paramref name="validationData"/>.</summary>
    /// <param name="trainData">Rows with the text and label columns.</param>
    /// <param name="validationData">Rows for validation; null to hold out <see cref="RecurrentTextClassifierOptions.ValidationFraction"/> of the training rows.</param>
    /// <returns>The trained transformer, with the weights of the best validation epoch.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    /// <exception cref="InvalidOperationException">No usable training rows, or a GPU was asked for and is absent.</exception>
    public RecurrentTextClassifierTransformer Fit(IDataView trainData, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        var host = env.Register("RnnMl.RecurrentTextClassifier");
        using var channel = host.Start("Training");
        int seed = options.Seed ?? host.Rand.Next();

        var (textColumn, inputKind, keyCount) = InputColumn(trainData.Schema);
        var (labelColumn, classCount, classNames) = LabelColumn(trainData.Schema);
        var train = Read(trainData, textColumn, inputKind, labelColumn, channel, "training");
        List<object> validRaw;
        List<long> validLabels;
        if (validationData is not null)
        {
            var (vText, vKind, vKeys) = InputColumn(validationData.Schema);
            if (vKind != inputKind || vKeys != keyCount)
                throw new ArgumentOutOfRangeException(nameof(validationData), $"Schema mismatch for validation column '{options.TextColumnName}': expected {textColumn.Type} like the training data, got {vText.Type}");
            var (vLabel, vCount, _) = LabelColumn(validationData.Schema);
            if (vCount != classCount)
                throw new ArgumentOutOfRangeException(nameof(validationData), $"Schema mismatch for validation label '{options.LabelColumnName}': expected {classCount} classes like the training data, got {vCount}");
            (validRaw, validLabels) = Read(validationData, vText, vKind, vLabel, channel, "validation");
        }
        else
        {
            (train, validRaw, validLabels) = Split(train, options.ValidationFraction, seed);
        }
        var (trainRaw, trainLabels) = train;
        if (trainRaw.Count == 0)
            throw new InvalidOperationException($"no training rows with a label in column '{options.LabelColumnName}'");

        var tokenizer = Tokenizer.Create(options.Tokenizer, options.LowerCase, options.Normalization);
        Vocabulary? vocabulary = null;
        if (inputKind != InputColumnKind.Keys)
            vocabulary = Vocabulary.Build(trainRaw.Select(v => TokenEncoder.Tokens(inputKind, tokenizer, v)), options.MinTokenCount, options.MaxVocabularySize);
        var encoder = new TokenEncoder(inputKind, tokenizer, vocabulary, keyCount, options.MaxSequenceLength);
        var trainIds = trainRaw.Select(encoder.EncodeValue).ToList();
        var validIds = validRaw.Select(encoder.EncodeValue).ToList();
        channel.Info(MessageSensitivity.None, $"{trainIds.Count} training rows, {validIds.Count} validation rows, {encoder.VocabularySize} token ids, {classCount} classes, seed {seed}");

        WordVectors? vectors = null;
        if (options.PretrainedVectorsPath is { } vectorPath)
        {
            if (vocabulary is null)
                throw new InvalidOperationException($"pretrained vectors ('{vectorPath}') need a text or text-token input column; column '{options.TextColumnName}' holds keys, which have no words to match");
            vectors = WordVectors.Load(vectorPath, vocabulary, tokenizer, options.PretrainedVectorsFormat, options.EmbeddingSize);
            channel.Info(MessageSensitivity.None, $"pretrained vectors: {vectors.Rows.Count} of {vocabulary.Count - 2} vocabulary tokens found among the {vectors.Entries} words of '{vectorPath}'{(options.FreezePretrainedVectors ? " (frozen)" : "")}");
        }

        var device = DeviceSelection.Choose(EnvironmentAccess.GpuDeviceId(env), EnvironmentAccess.FallbackToCpu(env), channel);
        manual_seed(seed);
        var model = SequenceClassifier.Create(options.ModelOptions(encoder.VocabularySize, classCount), device);
        TrainingResult result;
        try
        {
            if (vectors is not null) model.InitializeEmbedding(vectors.Rows, options.FreezePretrainedVectors);
            var task = new ClassifierTrainingTask(model, trainIds, trainLabels, validIds, validLabels, options.BatchSize, options.PredictionBatchSize, device);
            var trainerOptions = options.TrainerOptions(seed, trainIds.Count);
            if (trainerOptions.Epochs != options.Epochs)
                channel.Info(MessageSensitivity.None, $"{trainerOptions.Epochs} epochs instead of {options.Epochs}, to take at least {options.MinimumSteps} optimizer steps on {trainIds.Count} rows");
            var trainer = Trainer.Create(trainerOptions);
            result = trainer.Fit(task, new ChannelProgress(channel, options.Progress), options.CancellationToken);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        if (result.StopReason is TrainingStopReason.NonFiniteLoss or TrainingStopReason.Cancelled or TrainingStopReason.Diverged)
            channel.Warning(MessageSensitivity.None, result.Message ?? result.StopReason.ToString());

        var outputs = new OutputColumns(Kind, classCount, options.ScoreColumnName, options.ProbabilityColumnName, options.PredictedLabelColumnName, classNames);
        return new RecurrentTextClassifierTransformer(new ClassifierCore(model, encoder, device), outputs, options.TextColumnName, options.PredictionBatchSize, result);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!TryFind(inputSchema, options.TextColumnName, out var text))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Could not find input column '{options.TextColumnName}'");
        bool textOk = (text.Kind == SchemaShape.Column.VectorKind.Scalar && text.ItemType is TextDataViewType)
            || (text.Kind != SchemaShape.Column.VectorKind.Scalar && (text.ItemType is TextDataViewType || (text.IsKey && text.ItemType.RawType == typeof(uint))));
        if (!textOk)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Schema mismatch for input column '{options.TextColumnName}': expected String, Vector<String> or Vector<Key<UInt32>>, got {Describe(text)}");
        if (!TryFind(inputSchema, options.LabelColumnName, out var label))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Could not find label column '{options.LabelColumnName}'");
        int classCount = 2;
        bool hasNames = false;
        if (Kind == ClassificationKind.Binary)
        {
            if (label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType is not BooleanDataViewType)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Schema mismatch for label column '{options.LabelColumnName}': expected Boolean, got {Describe(label)}");
        }
        else
        {
            // In a SchemaShape a key column is IsKey with its raw type as ItemType (UInt32), and carries no key count.
            if (label.Kind != SchemaShape.Column.VectorKind.Scalar || !label.IsKey || label.ItemType.RawType != typeof(uint))
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Schema mismatch for label column '{options.LabelColumnName}': expected Key<UInt32>, got {Describe(label)}");
            // The class count is known only at Fit; shapes do not record vector sizes or key counts, so any count will do here.
            classCount = 2;
            hasNames = TryFind(label.Annotations, "KeyValues", out _);
        }
        return SchemaShapes.Classifier(inputSchema, Kind, classCount, hasNames, options.ScoreColumnName, options.ProbabilityColumnName, options.PredictedLabelColumnName);
    }

    private static bool TryFind(SchemaShape shape, string name, out SchemaShape.Column column)
    {
        // The last column of a name is the visible one, as in a DataViewSchema.
        column = default;
        bool found = false;
        foreach (var c in shape)
            if (c.Name == name) { column = c; found = true; }
        return found;
    }

    private static string Describe(SchemaShape.Column c)
    {
        var item = c.IsKey ? $"Key<{c.ItemType}>" : c.ItemType.ToString() ?? "";
        return c.Kind == SchemaShape.Column.VectorKind.Scalar ? item : $"Vector<{item}>";
    }

    private (DataViewSchema.Column Column, InputColumnKind Kind, int KeyCount) InputColumn(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(options.TextColumnName)
            ?? throw new ArgumentOutOfRangeException("inputSchema", $"Could not find input column '{options.TextColumnName}'");
        var kind = TokenEncoder.Classify(column.Type, options.TextColumnName, out int keyCount);
        return (column, kind, keyCount);
    }

    private (DataViewSchema.Column Column, int ClassCount, string[]? ClassNames) LabelColumn(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(options.LabelColumnName)
            ?? throw new ArgumentOutOfRangeException("inputSchema", $"Could not find label column '{options.LabelColumnName}'");
        if (Kind == ClassificationKind.Binary)
        {
            if (column.Type is not BooleanDataViewType)
                throw new ArgumentOutOfRangeException("inputSchema", $"Schema mismatch for label column '{options.LabelColumnName}': expected Boolean, got {column.Type}");
            return (column, 2, null);
        }
        if (column.Type is not KeyDataViewType key || key.RawType != typeof(uint))
            throw new ArgumentOutOfRangeException("inputSchema", $"Schema mismatch for label column '{options.LabelColumnName}': expected Key<UInt32>, got {column.Type}");
        if (key.Count < 2 || key.Count > 1_000_000)
            throw new ArgumentOutOfRangeException("inputSchema", $"Schema mismatch for label column '{options.LabelColumnName}': expected a key with 2 to 1,000,000 values, got {key.Count}");
        return (column, (int)key.Count, KeyNames(column, (int)key.Count));
    }

    private static string[]? KeyNames(DataViewSchema.Column column, int count)
    {
        var keyValues = column.Annotations.Schema.GetColumnOrNull("KeyValues");
        if (keyValues is null) return null;
        if (keyValues.Value.Type is not VectorDataViewType vector) return null;
        var read = typeof(RecurrentTextClassifierTrainer).GetMethod(nameof(ReadKeyNames), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(vector.ItemType.RawType);
        var names = (string[])read.Invoke(null, new object[] { column })!;
        return names.Length == count ? names : null;
    }

    private static string[] ReadKeyNames<T>(DataViewSchema.Column column)
    {
        VBuffer<T> values = default;
        column.Annotations.GetValue("KeyValues", ref values);
        return values.DenseValues().Select(v => v?.ToString() ?? "").ToArray();
    }

    private (List<object> Raw, List<long> Labels) Read(IDataView data, DataViewSchema.Column text, InputColumnKind kind,
        DataViewSchema.Column label, IChannel channel, string what)
    {
        var raw = new List<object>();
        var labels = new List<long>();
        long missing = 0;
        using var cursor = data.GetRowCursor(new[] { text, label });
        Func<object> getText = kind switch
        {
            InputColumnKind.Text => Getter<ReadOnlyMemory<char>>(cursor, text, v => v.ToString()),
            InputColumnKind.Tokens => Getter<VBuffer<ReadOnlyMemory<char>>>(cursor, text, v => v.DenseValues().Select(t => t.ToString()).ToArray()),
            _ => Getter<VBuffer<uint>>(cursor, text, v => v.DenseValues().ToArray()),
        };
        Func<long> getLabel;
        if (Kind == ClassificationKind.Binary)
        {
            var g = cursor.GetGetter<bool>(label);
            bool b = false;
            getLabel = () => { g(ref b); return b ? 1 : 0; };
        }
        else
        {
            var g = cursor.GetGetter<uint>(label);
            uint k = 0;
            getLabel = () => { g(ref k); return (long)k - 1; };
        }
        while (cursor.MoveNext())
        {
            long y = getLabel();
            if (y < 0) { missing++; continue; }
            raw.Add(getText());
            labels.Add(y);
        }
        if (missing > 0)
            channel.Warning(MessageSensitivity.None, $"skipped {missing} {what} row(s) whose label is missing");
        return (raw, labels);
    }

    private static Func<object> Getter<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, object> convert)
    {
        var g = cursor.GetGetter<T>(column);
        T value = default!;
        return () => { g(ref value); return convert(value); };
    }

    private static ((List<object>, List<long>) Train, List<object> ValidRaw, List<long> ValidLabels) Split((List<object> Raw, List<long> Labels) all, double fraction, int seed)
    {
        int n = all.Raw.Count;
        int validCount = fraction > 0 && n > 1 ? Math.Clamp((int)Math.Round(n * fraction), 1, n - 1) : 0;
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        var valid = new HashSet<int>(order.Take(validCount));
        var train = (new List<object>(), new List<long>());
        var vr = new List<object>();
        var vl = new List<long>();
        for (int i = 0; i < n; i++)
        {
            if (valid.Contains(i)) { vr.Add(all.Raw[i]); vl.Add(all.Labels[i]); }
            else { train.Item1.Add(all.Raw[i]); train.Item2.Add(all.Labels[i]); }
        }
        return (train, vr, vl);
    }
}
