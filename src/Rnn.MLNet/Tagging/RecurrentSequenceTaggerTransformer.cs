using RnnMl.Text.Export;

namespace RnnMl.MLNet.Tagging;

/// <summary>
/// A trained recurrent sequence tagger. Adds <c>PredictedLabel</c> (<c>Vector&lt;Key&lt;UInt32&gt;&gt;</c>, one tag per
/// token, with the training label's key values, so <c>MapKeyToValue</c> turns it into tag names) and <c>Score</c>
/// (<c>Vector&lt;Single&gt;</c>, each predicted tag's emission probability).
/// </summary>
/// <remarks>
/// <c>Transform</c> tags <see cref="RecurrentTransformer.PredictionBatchSize"/> sentences per model call;
/// <c>PredictionEngine</c> tags one (thread safety and saving: <see cref="RecurrentTransformer"/>).
/// </remarks>
public sealed class RecurrentSequenceTaggerTransformer : RecurrentTransformer
{
    internal RecurrentSequenceTaggerTransformer(TaggerCore core, TaggerColumns columns, int predictionBatchSize, TrainingResult? training)
        : base(core.Gate, predictionBatchSize, training)
        => (Core, Columns) = (core, columns);

    internal TaggerCore Core { get; }
    internal TaggerColumns Columns { get; }

    /// <summary>The tagging scheme whose transitions the CRF forbids, or null for none.</summary>
    internal RnnMl.Text.Tagging.TagScheme? Scheme { get; init; }

    /// <summary>The input column of tokens (or text).</summary>
    public string TokensColumnName { get { Gate.ThrowIfClosed(); return Columns.Tokens; } }

    /// <summary>The tag names, in tag order (key k is tag k − 1).</summary>
    public IReadOnlyList<string> TagNames { get { Gate.ThrowIfClosed(); return Core.Info.TagNames; } }

    /// <summary>The network. Do not switch it to training mode while the transformer is in use.</summary>
    public SequenceTagger Model { get { Gate.ThrowIfClosed(); return Core.Model; } }

    /// <summary>The word vocabulary, tokenizer and character vocabulary: what the ONNX side needs too.</summary>
    public TaggerModelInfo Info { get { Gate.ThrowIfClosed(); return Core.Info; } }

    /// <summary>Tags tokenised sentences directly, in batches, without an <see cref="IDataView"/>.</summary>
    /// <param name="sentences">Each sentence's tokens.</param>
    /// <returns>One tag name per token.</returns>
    public IReadOnlyList<string[]> Tag(IEnumerable<IReadOnlyList<string>> sentences)
    {
        Gate.ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(sentences);
        var inputs = sentences.Select(s => Core.Encode(Core.Normalize(s ?? throw new ArgumentException("a sentence is null", nameof(sentences))))).ToList();
        var tags = new List<string[]>(inputs.Count);
        foreach (var batch in inputs.Chunk(PredictionBatchSize))
            tags.AddRange(Core.Tag(batch).Select(o => o.Tags.Select(t => Core.Info.TagNames[(int)t]).ToArray()));
        return tags;
    }

    /// <summary>Tags <paramref name="data"/> and scores the tags against its label column: token accuracy, and span
    /// precision, recall and F1 per entity type and micro-averaged, counted as conlleval counts them.</summary>
    /// <param name="data">Rows with the tokens column and the label column (a vector of keys, as in training).</param>
    /// <param name="labelColumnName">The gold tags. Default "Label".</param>
    /// <param name="scheme">How tags form spans (BIO, IOB1 or IOBES; a tag outside the scheme is an error); null to count
    /// BIO spans when every tag is O, B-X or I-X and only tokens otherwise (part-of-speech tags form no spans; the span
    /// scores are then zero counts). Default null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="InvalidDataException">A row's gold tags do not match its tokens, naming the row.</exception>
    public RnnMl.Text.Metrics.TaggingEvaluation Evaluate(IDataView data, string labelColumnName = "Label", RnnMl.Text.Tagging.TagScheme? scheme = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return TaggerEvaluation.Evaluate(Transform(data), TagNames, labelColumnName, Columns.PredictedLabel, scheme);
    }

    private protected override IArchiveFormat Archive => TaggerArchive.Format;

    private protected override void Release() => Core.Model.Dispose();

    private protected override IRowBinding CreateBinding(DataViewSchema inputSchema) =>
        new TaggingBinding(Core, Columns.Tokens, Columns.PredictedLabel, Columns.Score, inputSchema);
}
