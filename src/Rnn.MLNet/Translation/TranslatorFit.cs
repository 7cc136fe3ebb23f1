using static TorchSharp.torch;

namespace RnnMl.MLNet.Translation;

/// <summary>The translator's plug-in to the fit pipeline: typed (source, target) rows, source and target vocabularies,
/// <see cref="Seq2SeqTrainingTask"/>, and the translation column.</summary>
internal sealed class TranslatorFit(RecurrentTranslatorOptions options)
    : TaskFit<(string Source, string Target), Seq2SeqModel, RecurrentTranslatorTransformer>
{
    private Tokenizer sourceTokenizer = SubwordTokens.Reading(options.SourceTokenizer, options.LowerCase, options.Normalization);
    private Tokenizer targetTokenizer = SubwordTokens.Reading(options.TargetTokenizer, options.LowerCase, options.Normalization);
    private Vocabulary? sourceVocabulary, targetVocabulary;
    private List<long[]> trainSources = [], trainTargets = [], validSources = [], validTargets = [];

    /// <summary>The input shape with the translation column added; the source and target columns must be String.</summary>
    public static SchemaShape OutputSchema(RecurrentTranslatorOptions options, SchemaShape input)
    {
        ColumnCheck.RequireText(input, options.SourceColumnName, "source");
        ColumnCheck.RequireText(input, options.TargetColumnName, "target");
        return SchemaShapes.Text(input, options.OutputColumnName);
    }

    protected override string NoTrainingRows => $"no training pairs in columns '{options.SourceColumnName}' and '{options.TargetColumnName}'";

    protected override int TrainingExamples => trainSources.Count;

    protected override List<(string Source, string Target)> Read(IDataView data, string what, FitContext context)
    {
        var sourceColumn = ColumnCheck.RequireText(data.Schema, options.SourceColumnName, "source");
        var targetColumn = ColumnCheck.RequireText(data.Schema, options.TargetColumnName, "target");
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

    protected override void Prepare(List<(string Source, string Target)> train, List<(string Source, string Target)> valid, FitContext context)
    {
        LearnSubwords(train, context.Channel);
        sourceVocabulary = SubwordTokens.Vocabulary(sourceTokenizer, () => train.Select(p => sourceTokenizer.Tokenize(p.Source)), options.MinTokenCount, options.MaxSourceVocabularySize);
        targetVocabulary = SubwordTokens.Vocabulary(targetTokenizer, () => train.Select(p => targetTokenizer.Tokenize(p.Target)), options.MinTokenCount, options.MaxTargetVocabularySize, Seq2SeqOptions.TargetSpecialTokens);
        (trainSources, trainTargets) = Encode(train, "training", context.Channel);
        (validSources, validTargets) = Encode(valid, "validation", context.Channel);
        context.Channel.Info(MessageSensitivity.None, $"{train.Count} training pairs, {valid.Count} validation pairs, {sourceVocabulary.Count} source and {targetVocabulary.Count} target token ids, seed {context.Seed}");
    }

    protected override Seq2SeqModel CreateModel(Device device) =>
        Seq2SeqModel.Create(options.ModelOptions(sourceVocabulary!.Count, targetVocabulary!.Count), device);

    protected override TrainingResult Train(Seq2SeqModel model, Trainer trainer, IProgress<TrainingProgress> progress, CancellationToken token, Device device)
    {
        var task = new Seq2SeqTrainingTask(model, trainSources, trainTargets, validSources, validTargets, options.BatchSize,
            options.PredictionBatchSize, options.LabelSmoothing, device);
        return trainer.Fit(task, progress, token);
    }

    protected override RecurrentTranslatorTransformer Bind(Seq2SeqModel model, Device device, TrainingResult result)
    {
        var source = new TokenEncoder(InputColumnKind.Text, sourceTokenizer, sourceVocabulary, 0, options.MaxSourceLength);
        var core = new TranslatorCore(model, source, targetTokenizer, targetVocabulary!, options.DecodingOptions(), device);
        return new RecurrentTranslatorTransformer(core, options.SourceColumnName, options.OutputColumnName, options.PredictionBatchSize, result);
    }

    /// <summary>Learns the subword model(s) of the sides that use subwords: one over both sides' training text when
    /// <see cref="RecurrentTranslatorOptions.JointSubwordVocabulary"/> and both use them, else one per side.</summary>
    private void LearnSubwords(List<(string Source, string Target)> train, IChannel channel)
    {
        bool source = options.SourceTokenizer == TokenizerKind.Subword, target = options.TargetTokenizer == TokenizerKind.Subword;
        if (source && target && options.JointSubwordVocabulary)
        {
            sourceTokenizer = targetTokenizer = SubwordTokens.Learn(train.Select(p => p.Source).Concat(train.Select(p => p.Target)), sourceTokenizer, options, channel, "joint ");
            return;
        }
        if (source) sourceTokenizer = SubwordTokens.Learn(train.Select(p => p.Source), sourceTokenizer, options, channel, "source ");
        if (target) targetTokenizer = SubwordTokens.Learn(train.Select(p => p.Target), targetTokenizer, options, channel, "target ");
    }

    private (List<long[]> Sources, List<long[]> Targets) Encode(List<(string Source, string Target)> pairs, string what, IChannel channel)
    {
        var sources = new List<long[]>(pairs.Count);
        var targets = new List<long[]>(pairs.Count);
        int cutSources = 0, cutTargets = 0;
        var source = new TextEncoder(sourceTokenizer, sourceVocabulary!);
        var target = new TextEncoder(targetTokenizer, targetVocabulary!);
        foreach (var (s, t) in pairs)
        {
            sources.Add(Cut(source.Encode(s), options.MaxSourceLength, ref cutSources));
            targets.Add(Cut(target.Encode(t), options.MaxTargetLength, ref cutTargets));
        }
        if (cutSources > 0)
            channel.Warning(MessageSensitivity.None, $"{cutSources} {what} source(s) longer than MaxSourceLength = {options.MaxSourceLength} tokens were cut to it");
        if (cutTargets > 0)
            channel.Warning(MessageSensitivity.None, $"{cutTargets} {what} target(s) longer than MaxTargetLength = {options.MaxTargetLength} tokens were cut to it");
        return (sources, targets);
    }

    private static long[] Cut(long[] ids, int max, ref int cutCount)
    {
        if (ids.Length <= max) return ids;
        cutCount++;
        return ids[..max];
    }
}
