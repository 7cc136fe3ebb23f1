using RnnMl.MLNet.Classification;
using RnnMl.Text.Export;
using RnnMl.Text.Tagging;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Tagging;

/// <summary>The tagger's plug-in to the fit pipeline: typed rows (tokens, tag keys), word and character vocabularies,
/// CRF constraints, <see cref="SequenceTaggerTrainingTask"/>, and the predicted-tag columns.</summary>
internal sealed class TaggerFit(RecurrentSequenceTaggerOptions options)
    : TaskFit<(string[] Tokens, long[] Tags), SequenceTagger, RecurrentSequenceTaggerTransformer>
{
    private readonly Tokenizer tokenizer = Tokenizer.Create(TokenizerKind.Word, lowerCase: false, options.Normalization);
    private bool? textInput;
    private int tagCount;
    private string[] tagNames = [];
    private TaggerModelInfo? info;
    private TagScheme? scheme;
    private TagTransitionConstraints? constraints;
    private WordVectors? vectors;
    private List<long[]> trainWords = [], trainTags = [], validWords = [], validTags = [];
    private List<long[][]>? trainCharacters, validCharacters;
    private List<long[]>? trainCasing, validCasing;

    /// <summary>The input shape with the predicted tags and scores added; checks the tokens and label columns.</summary>
    public static SchemaShape OutputSchema(RecurrentSequenceTaggerOptions options, SchemaShape input)
    {
        var tokens = ColumnCheck.Require(input, options.TokensColumnName);
        bool text = tokens.Kind == SchemaShape.Column.VectorKind.Scalar && tokens.ItemType is TextDataViewType && !tokens.IsKey;
        bool tokenVector = tokens.Kind != SchemaShape.Column.VectorKind.Scalar && tokens.ItemType is TextDataViewType && !tokens.IsKey;
        if (!text && !tokenVector)
            throw ColumnCheck.Mismatch("input", options.TokensColumnName, "Vector<String> or String", ColumnCheck.Describe(tokens));
        var label = ColumnCheck.Require(input, options.LabelColumnName, "label");
        if (label.Kind == SchemaShape.Column.VectorKind.Scalar || !label.IsKey || label.ItemType.RawType != typeof(uint))
            throw ColumnCheck.Mismatch("label", options.LabelColumnName, "Vector<Key<UInt32>>", ColumnCheck.Describe(label));
        return SchemaShapes.Tagger(input, label.Annotations.Any(a => a.Name == "KeyValues"), options.PredictedLabelColumnName, options.ScoreColumnName);
    }

    protected override string NoTrainingRows => $"no training rows with tags in column '{options.LabelColumnName}'";

    protected override int TrainingExamples => trainWords.Count;

    protected override List<(string[] Tokens, long[] Tags)> Read(IDataView data, string what, FitContext context)
    {
        var tokens = ColumnCheck.Require(data.Schema, options.TokensColumnName);
        bool text = tokens.Type is TextDataViewType;
        if (!text && tokens.Type is not VectorDataViewType { ItemType: TextDataViewType })
            throw ColumnCheck.Mismatch("input", options.TokensColumnName, "Vector<String> or String", tokens.Type.ToString());
        var label = ColumnCheck.Require(data.Schema, options.LabelColumnName, "label");
        if (label.Type is not VectorDataViewType { ItemType: KeyDataViewType key } || key.RawType != typeof(uint) || key.Count is < 1 or > 100_000)
            throw ColumnCheck.Mismatch("label", options.LabelColumnName, "Vector<Key<UInt32>> with 1 to 100,000 key values", label.Type.ToString());
        int count = (int)key.Count;
        if (textInput is null)
        {
            (textInput, tagCount) = (text, count);
            tagNames = LabelColumns.KeyNames(label, count) ?? Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        else if (text != textInput || count != tagCount)
            throw new ArgumentOutOfRangeException("validationData", $"Schema mismatch for validation columns '{options.TokensColumnName}' and '{options.LabelColumnName}': expected {(textInput.Value ? "String" : "Vector<String>")} and {tagCount} tags like the training data, got {tokens.Type} and {count} tags");

        var rows = new List<(string[], long[])>();
        long missing = 0, row = -1;
        using var cursor = data.GetRowCursor(new[] { tokens, label });
        var getTokens = TaggerCore.TokenReader(cursor, tokens, tokenizer);
        var getTags = cursor.GetGetter<VBuffer<uint>>(label);
        VBuffer<uint> keys = default;
        while (cursor.MoveNext())
        {
            row++;
            var words = getTokens();
            getTags(ref keys);
            var tags = keys.DenseValues().Select(k => (long)k - 1).ToArray();
            if (tags.Length != words.Length)
                throw new InvalidDataException($"{what} row {row}: {words.Length} tokens in column '{options.TokensColumnName}' but {tags.Length} tags in column '{options.LabelColumnName}'; every token needs one tag");
            if (tags.Any(t => t < 0)) { missing++; continue; }
            if (words.Length > 0) rows.Add((words, tags));
        }
        if (missing > 0)
            context.Channel.Warning(MessageSensitivity.None, $"skipped {missing} {what} row(s) with a missing tag");
        return rows;
    }

    protected override void Prepare(List<(string[] Tokens, long[] Tags)> train, List<(string[] Tokens, long[] Tags)> valid, FitContext context)
    {
        var words = Vocabulary.Build(train.Select(r => r.Tokens.Select(t => options.LowerCase ? t.ToLowerInvariant() : t)), options.MinTokenCount, options.MaxVocabularySize);
        var characters = options.CharacterEncoder != CharacterEncoderKind.None ? TaggerCharacters.BuildVocabulary(train.Select(r => r.Tokens)) : null;
        info = new TaggerModelInfo(tokenizer, words, tagNames, characters, lowerCaseWords: options.LowerCase, casing: options.CasingEmbeddingSize > 0);
        ChooseConstraints(train, context.Channel);
        (trainWords, trainTags, trainCharacters, trainCasing) = Encode(train);
        (validWords, validTags, validCharacters, validCasing) = Encode(valid);
        context.Channel.Info(MessageSensitivity.None, $"{train.Count} training and {valid.Count} validation sentences, {words.Count} word ids, {characters?.Count ?? 0} character ids, {tagCount} tags, seed {context.Seed}");
        // File words are matched as the tagger looks its words up: normalised like the tokens, lower-cased when LowerCase is.
        vectors = options.LoadPretrainedVectors(words, Tokenizer.Create(TokenizerKind.Word, options.LowerCase, options.Normalization), context.Channel);
    }

    protected override SequenceTagger CreateModel(Device device) =>
        SequenceTagger.Create(options.ModelOptions(info!.Vocabulary.Count, tagCount, info.Characters?.Count ?? 0, constraints), device);

    protected override TrainingResult Train(SequenceTagger model, Trainer trainer, IProgress<TrainingProgress> progress, CancellationToken token, Device device)
    {
        if (vectors is not null) model.InitializeEmbedding(vectors.Rows, options.FreezePretrainedVectors);
        using var task = new SequenceTaggerTrainingTask(model, trainWords, trainTags, validWords, validTags, options.BatchSize, options.PredictionBatchSize,
            device, trainCharacters, validCharacters, trainCasing, validCasing);
        return trainer.Fit(task, progress, token);
    }

    protected override RecurrentSequenceTaggerTransformer Bind(SequenceTagger model, Device device, TrainingResult result)
    {
        var columns = new TaggerColumns(options.TokensColumnName, options.PredictedLabelColumnName, options.ScoreColumnName);
        return new RecurrentSequenceTaggerTransformer(new TaggerCore(model, info!, textInput!.Value, device), columns, options.PredictionBatchSize, result) { Scheme = scheme };
    }

    /// <summary>With the CRF: the scheme's constraints (BIO detected from the tag names when none is set); ill-formed
    /// training sentences are accepted (real data has them) and counted in the log.</summary>
    private void ChooseConstraints(List<(string[] Tokens, long[] Tags)> train, IChannel channel)
    {
        if (!options.UseCrf) return;
        scheme = options.Scheme ?? (tagNames.All(t => TagTransitionConstraints.BelongsTo(t, TagScheme.Bio)) && tagNames.Any(t => t != "O") ? TagScheme.Bio : null);
        if (scheme is not { } s) return;
        try { constraints = TagTransitionConstraints.FromTagNames(tagNames, s); }
        catch (ArgumentException e) { throw new InvalidOperationException($"the tags of column '{options.LabelColumnName}' do not fit Scheme = {s}: {e.Message}", e); }
        int ill = train.Count(r => !constraints.Allows(r.Tags));
        channel.Info(MessageSensitivity.None, $"CRF with {s} constraints{(ill > 0 ? $"; {ill} training sentence(s) have an ill-formed {s} sequence (accepted, as conlleval does)" : "")}");
    }

    private (List<long[]> Words, List<long[]> Tags, List<long[][]>? Characters, List<long[]>? Casing) Encode(List<(string[] Tokens, long[] Tags)> rows) =>
        (rows.Select(r => info!.EncodeWords(r.Tokens)).ToList(), rows.Select(r => r.Tags).ToList(),
         info!.Characters is null ? null : rows.Select(r => info.EncodeCharacters(r.Tokens)!).ToList(),
         info.Casing ? rows.Select(r => info.EncodeCasing(r.Tokens)!).ToList() : null);
}
