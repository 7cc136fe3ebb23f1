using static TorchSharp.torch;

namespace RnnMl.MLNet.Classification;

/// <summary>The classifier's plug-in to the fit pipeline: typed rows (token input, class), the token encoder, optional
/// pretrained vectors, <see cref="SequenceClassifierTrainingTask"/> (once per ensemble member: <see cref="EnsembleMembers"/>),
/// and the score columns.</summary>
internal sealed class ClassifierFit(RecurrentTextClassifierOptions options, ClassificationKind kind)
    : TaskFit<(TokenSequence Input, long Label), SequenceClassifier, RecurrentTextClassifierTransformer>
{
    // Loaded first, so that a mismatch fails before any data is read, and because its tokenizer reads the rows.
    private readonly LanguageModelTransfer? transfer = options.PretrainedLanguageModel is null ? null : LanguageModelTransfer.Load(options);
    private Tokenizer tokenizer => transfer?.Tokenizer ?? (ownTokenizer ??= SubwordTokens.Reading(options.Tokenizer, options.LowerCase, options.Normalization));
    private Tokenizer? ownTokenizer;
    private DataViewSchema.Column? trainingInput;
    private InputColumnKind inputKind;
    private int keyCount, classCount;
    private string[]? classNames;
    private TokenEncoder? encoder;
    private WordVectors? vectors;
    private List<long[]> trainIds = [], validIds = [];
    private List<long> trainLabels = [], validLabels = [];
    private FitContext? context;
    private readonly List<SequenceClassifier> extraMembers = [];
    private readonly List<TrainingResult> memberResults = [];

    /// <summary>The input shape with the score columns added; checks the text and label columns.</summary>
    public static SchemaShape OutputSchema(RecurrentTextClassifierOptions options, ClassificationKind kind, SchemaShape inputSchema)
    {
        var text = ColumnCheck.Require(inputSchema, options.TextColumnName);
        bool textOk = (text.Kind == SchemaShape.Column.VectorKind.Scalar && text.ItemType is TextDataViewType)
            || (text.Kind != SchemaShape.Column.VectorKind.Scalar && (text.ItemType is TextDataViewType || (text.IsKey && text.ItemType.RawType == typeof(uint))));
        if (!textOk)
            throw ColumnCheck.Mismatch("input", options.TextColumnName, "String, Vector<String> or Vector<Key<UInt32>>", ColumnCheck.Describe(text));
        var label = ColumnCheck.Require(inputSchema, options.LabelColumnName, "label");
        bool hasNames = false;
        if (kind == ClassificationKind.Binary)
        {
            if (label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType is not BooleanDataViewType)
                throw ColumnCheck.Mismatch("label", options.LabelColumnName, "Boolean", ColumnCheck.Describe(label));
        }
        else
        {
            // In a SchemaShape a key column is IsKey with its raw type as ItemType (UInt32), and carries no key count.
            if (label.Kind != SchemaShape.Column.VectorKind.Scalar || !label.IsKey || label.ItemType.RawType != typeof(uint))
                throw ColumnCheck.Mismatch("label", options.LabelColumnName, "Key<UInt32>", ColumnCheck.Describe(label));
            hasNames = label.Annotations.Any(a => a.Name == "KeyValues");
        }
        // The class count is known only at Fit; shapes do not record vector sizes or key counts, so any count will do here.
        return SchemaShapes.Classifier(inputSchema, kind, 2, hasNames, options.ScoreColumnName, options.ProbabilityColumnName, options.PredictedLabelColumnName);
    }

    protected override int? MaxHoldOutRows => options.MaxValidationRows;

    protected override string NoTrainingRows => $"no training rows with a label in column '{options.LabelColumnName}'";

    protected override int TrainingExamples => trainIds.Count;

    protected override List<(TokenSequence Input, long Label)> Read(IDataView data, string what, FitContext context)
    {
        var text = ColumnCheck.Require(data.Schema, options.TextColumnName);
        var textKind = TokenEncoder.Classify(text.Type, options.TextColumnName, out int keys);
        var (label, classes, names) = LabelColumns.Read(data.Schema, options.LabelColumnName, kind);
        if (trainingInput is null)
        {
            (trainingInput, inputKind, keyCount, classCount, classNames) = (text, textKind, keys, classes, names);
        }
        else
        {
            if (textKind != inputKind || keys != keyCount)
                throw new ArgumentOutOfRangeException("validationData", $"Schema mismatch for validation column '{options.TextColumnName}': expected {trainingInput.Value.Type} like the training data, got {text.Type}");
            if (classes != classCount)
                throw new ArgumentOutOfRangeException("validationData", $"Schema mismatch for validation label '{options.LabelColumnName}': expected {classCount} classes like the training data, got {classes}");
        }

        var rows = new List<(TokenSequence, long)>();
        long missing = 0;
        using var cursor = data.GetRowCursor(new[] { text, label });
        var getInput = TokenEncoder.RawReader(textKind, tokenizer, keys, cursor, text);
        var getLabel = LabelColumns.Getter(cursor, label, kind);
        while (cursor.MoveNext())
        {
            long y = getLabel();
            if (y < 0) { missing++; continue; }
            rows.Add((getInput(), y));
        }
        if (missing > 0)
            context.Channel.Warning(MessageSensitivity.None, $"skipped {missing} {what} row(s) whose label is missing");
        return rows;
    }

    protected override void Prepare(List<(TokenSequence Input, long Label)> train, List<(TokenSequence Input, long Label)> valid, FitContext context)
    {
        this.context = context;
        if (transfer is not null && inputKind == InputColumnKind.Keys)
            throw new InvalidOperationException($"a pretrained language model ('{transfer.Path}') needs a text or text-token input column; column '{options.TextColumnName}' holds keys, which have no words to match");
        // Subwords are learned here unless the language model brings its own tokenizer (which then reads pieces).
        if (transfer is null && options.Tokenizer == TokenizerKind.Subword && inputKind != InputColumnKind.Keys)
        {
            ownTokenizer = SubwordTokens.Learn(train.Select(r => r.Input.Tokens!), options, context.Channel);
            train = train.Select(r => (TokenSequence.OfTokens(SubwordTokens.Pieces(tokenizer, r.Input.Tokens!)), r.Label)).ToList();
            valid = valid.Select(r => (TokenSequence.OfTokens(SubwordTokens.Pieces(tokenizer, r.Input.Tokens!)), r.Label)).ToList();
        }
        Vocabulary? vocabulary = inputKind == InputColumnKind.Keys ? null : transfer is not null ? transfer.Vocabulary
            : SubwordTokens.Vocabulary(tokenizer, () => train.Select(r => r.Input.Tokens!), options.MinTokenCount, options.MaxVocabularySize);
        encoder = new TokenEncoder(inputKind, tokenizer, vocabulary, keyCount, options.MaxSequenceLength);
        (trainIds, trainLabels) = (train.Select(r => encoder.Encode(r.Input)).ToList(), train.Select(r => r.Label).ToList());
        (validIds, validLabels) = (valid.Select(r => encoder.Encode(r.Input)).ToList(), valid.Select(r => r.Label).ToList());
        context.Channel.Info(MessageSensitivity.None, $"{trainIds.Count} training rows, {validIds.Count} validation rows, {encoder.VocabularySize} token ids, {classCount} classes, seed {context.Seed}");
        if (options.DropoutScale(trainIds.Count) is var scale and < 1)
            context.Channel.Info(MessageSensitivity.None, $"embedding and locked dropouts × {scale:F3} for {trainIds.Count} training rows (DropoutReferenceRows {options.DropoutReferenceRows})");

        if (options.PretrainedVectorsPath is { } vectorPath && vocabulary is null)
            throw new InvalidOperationException($"pretrained vectors ('{vectorPath}') need a text or text-token input column; column '{options.TextColumnName}' holds keys, which have no words to match");
        vectors = options.LoadPretrainedVectors(vocabulary!, tokenizer, context.Channel);
    }

    protected override SequenceClassifier CreateModel(Device device) =>
        SequenceClassifier.Create(options.ModelOptions(encoder!.VocabularySize, classCount, trainIds.Count), device);

    protected override TrainingResult Train(SequenceClassifier model, Trainer trainer, IProgress<TrainingProgress> progress, CancellationToken token, Device device)
    {
        var ensemble = new EnsembleMembers(trainer.Options, options.EnsembleSize);
        try
        {
            for (int k = 0; k < ensemble.Size; k++)
            {
                if (ensemble.Options(k) is not { } memberOptions)
                {
                    context!.Channel.Warning(MessageSensitivity.None, $"the time limit ({options.MaxTrainingTime}) left no time for ensemble members {k + 1}–{ensemble.Size}; the ensemble has {k}");
                    break;
                }
                if (ensemble.Size > 1)
                    context!.Channel.Info(MessageSensitivity.None, $"ensemble member {k + 1} of {ensemble.Size}: seed {memberOptions.Seed}");
                // One member trains with the pipeline's options unchanged (EnsembleMembers.Options gives them back).
                var result = k > 0 ? TrainNextMember(k, memberOptions, progress, token, device)
                    : TrainMember(model, Trainer.Create(memberOptions), progress, token, device);
                if (k == 0) memberResults.Add(result);
                if (result.StopReason == TrainingStopReason.Cancelled) break;
            }
        }
        catch
        {
            DisposeExtraMembers();
            throw;
        }
        finally
        {
            transfer?.Dispose(); // every member has copied the language model's weights; its tokenizer and vocabulary stay
        }
        return memberResults[0];
    }

    // Member k > 0: seeded, created, trained, and kept only if EnsembleMembers.KeepLater says so (else disposed, with a warning).
    private TrainingResult TrainNextMember(int k, TrainerOptions memberOptions, IProgress<TrainingProgress> progress, CancellationToken token, Device device)
    {
        manual_seed(memberOptions.Seed);
        var member = CreateModel(device);
        extraMembers.Add(member);
        member.train();
        TrainingResult result;
        try
        {
            result = TrainMember(member, Trainer.Create(memberOptions), progress, token, device);
        }
        finally
        {
            member.eval();
        }
        if (!EnsembleMembers.KeepLater(result))
        {
            extraMembers.Remove(member);
            member.Dispose();
            context!.Channel.Warning(MessageSensitivity.None, $"ensemble member {k + 1} left out ({result.Message ?? result.StopReason.ToString()})");
        }
        else
        {
            memberResults.Add(result);
            if (result.StopReason is TrainingStopReason.NonFiniteLoss or TrainingStopReason.Diverged)
                context!.Channel.Warning(MessageSensitivity.None, $"ensemble member {k + 1}: {result.Message ?? result.StopReason.ToString()}");
        }
        return result;
    }

    private TrainingResult TrainMember(SequenceClassifier model, Trainer trainer, IProgress<TrainingProgress> progress, CancellationToken token, Device device)
    {
        if (vectors is not null) model.InitializeEmbedding(vectors.Rows, options.FreezePretrainedVectors);
        transfer?.CopyInto(model);
        var task = new SequenceClassifierTrainingTask(model, trainIds, trainLabels, validIds, validLabels, options.BatchSize, options.PredictionBatchSize, device)
        {
            ParameterGroups = transfer is null ? null : LanguageModelTransfer.Groups(model, options.DiscriminativeLearningRateFactor, options.GradualUnfreezing),
            LabelSmoothing = options.LabelSmoothing,
        };
        return trainer.Fit(task, progress, token);
    }

    private void DisposeExtraMembers()
    {
        foreach (var m in extraMembers) m.Dispose();
        extraMembers.Clear();
    }

    protected override RecurrentTextClassifierTransformer Bind(SequenceClassifier model, Device device, TrainingResult result)
    {
        var outputs = new OutputColumns(kind, classCount, options.ScoreColumnName, options.ProbabilityColumnName, options.PredictedLabelColumnName, classNames);
        SequenceClassifierEnsemble ensemble;
        try
        {
            ensemble = SequenceClassifierEnsemble.Create([model, .. extraMembers]);
        }
        catch
        {
            DisposeExtraMembers();
            throw;
        }
        return new RecurrentTextClassifierTransformer(new ClassifierCore(ensemble, encoder!, device), outputs, options.TextColumnName, options.PredictionBatchSize, result, memberResults);
    }
}
