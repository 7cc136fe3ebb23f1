using RnnMl.Text.Decoding;
using RnnMl.Text.Internal;
using RnnMl.Text.Metrics;
using RnnMl.Torch.Decoding;

namespace RnnMl.MLNet.Translation;

/// <summary>
/// A trained recurrent translator: adds a String column with the translation of the source column.
/// </summary>
/// <remarks>
/// <c>Transform</c> translates rows in batches of <see cref="RecurrentTransformer.PredictionBatchSize"/> (longest first within a batch, beam
/// search as set in the options); <c>PredictionEngine</c> translates one row at a time. An empty source translates to empty
/// text; words the vocabulary lacks become "&lt;unk&gt;" for the model; sources longer than the maximum source length are cut to it.
/// Thread safety and saving: <see cref="RecurrentTransformer"/>.
/// </remarks>
public sealed class RecurrentTranslatorTransformer : RecurrentTransformer
{
    internal RecurrentTranslatorTransformer(TranslatorCore core, string sourceColumnName, string outputColumnName, int predictionBatchSize, TrainingResult? training)
        : base(core.Gate, predictionBatchSize, training)
        => (Core, SourceColumnName, OutputColumnName) = (core, sourceColumnName, outputColumnName);

    internal TranslatorCore Core { get; }

    /// <summary>The source text column.</summary>
    public string SourceColumnName { get { Core.Gate.ThrowIfClosed(); return field; } }

    /// <summary>The added translation column.</summary>
    public string OutputColumnName { get { Core.Gate.ThrowIfClosed(); return field; } }

    /// <summary>The decoding settings <c>Transform</c> uses.</summary>
    public DecodingOptions Decoding { get { Core.Gate.ThrowIfClosed(); return Core.Decoding; } }

    /// <summary>The network. Do not switch it to training mode while the transformer is in use.</summary>
    public Seq2SeqModel Model { get { Core.Gate.ThrowIfClosed(); return Core.Model; } }

    /// <summary>The source vocabulary built in <c>Fit</c>.</summary>
    public Vocabulary SourceVocabulary { get { Core.Gate.ThrowIfClosed(); return Core.Source.Vocabulary!; } }

    /// <summary>The target vocabulary built in <c>Fit</c> ("&lt;s&gt;" and "&lt;/s&gt;" at ids 2 and 3).</summary>
    public Vocabulary TargetVocabulary { get { Core.Gate.ThrowIfClosed(); return Core.TargetVocabulary; } }

    /// <summary>Translates sentences directly, in batches, without an <see cref="IDataView"/>.</summary>
    /// <param name="sources">Source sentences.</param>
    /// <param name="decoding">Decoding settings for this call (e.g. <c>Decoding with { BeamWidth = 1 }</c> for greedy); default <see cref="Decoding"/>.</param>
    /// <returns>One translation per source, in order.</returns>
    public IReadOnlyList<string> Translate(IEnumerable<string> sources, DecodingOptions? decoding = null)
    {
        Core.Gate.ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(sources);
        var encoded = sources.Select(Core.Source.EncodeText).ToList();
        return Core.Translate(encoded, PredictionBatchSize, decoding?.Validate());
    }

    /// <summary>Translates <paramref name="sources"/> and scores the translations against <paramref name="references"/>.</summary>
    /// <param name="sources">Source sentences.</param>
    /// <param name="references">One reference translation per source.</param>
    /// <param name="decoding">Decoding settings for this call; default <see cref="Decoding"/>.</param>
    /// <param name="lowercase">Compare lower-cased (as translations are when the model lower-cases). Default true.</param>
    /// <exception cref="ArgumentException">The counts differ or there are no sentences.</exception>
    public TranslationScores Evaluate(IReadOnlyList<string> sources, IReadOnlyList<string> references, DecodingOptions? decoding = null, bool lowercase = true)
    {
        Core.Gate.ThrowIfClosed();
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(references);
        if (sources.Count != references.Count)
            throw new ArgumentException($"there must be one reference per source ({sources.Count}), got {references.Count}", nameof(references));
        if (sources.Count == 0)
            throw new ArgumentException("there must be at least one sentence to evaluate, got 0", nameof(sources));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var translations = Translate(sources, decoding);
        double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        string Norm(string text) => Mteval13aTokenizer.Tokenize(lowercase ? text.ToLowerInvariant() : text);
        double exact = translations.Zip(references).Count(p => Norm(p.First) == Norm(p.Second)) / (double)sources.Count;
        return new TranslationScores(Bleu.Corpus(translations, references, lowercase), ChrF.Corpus(translations, references, lowercase),
            exact, sources.Count / seconds, translations);
    }

    /// <summary>Translates one sentence greedily and returns the attention weights of every output step.</summary>
    /// <param name="source">The source sentence.</param>
    public TranslationAttention Attend(string source)
    {
        var (s, t, w) = Core.Attend(source);
        return new TranslationAttention(s, t, w);
    }

    private protected override IArchiveFormat Archive => TranslatorArchive.Format;

    private protected override void Release() => Core.Model.Dispose();

    private protected override IRowBinding CreateBinding(DataViewSchema inputSchema) =>
        new TranslationBinding(Core, SourceColumnName, OutputColumnName, PredictionBatchSize, inputSchema);
}
