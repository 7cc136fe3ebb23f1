using RnnMl.MLNet.Generation;
using RnnMl.Torch.Decoding;
using TorchSharp;

namespace RnnMl.MLNet.Internal;

/// <summary>How a <see cref="RecurrentTextGeneratorTransformer"/> is written to and rebuilt from a model archive.</summary>
internal sealed class GeneratorArchive : ArchiveFormat<RecurrentTextGeneratorTransformer, GeneratorArchive.Metadata>
{
    public static readonly GeneratorArchive Format = new();

    public override string Kind => "TextGenerator";

    protected override Metadata Describe(RecurrentTextGeneratorTransformer t)
    {
        var tokenizer = t.TextStream.Tokenizer;
        return new Metadata
        {
            PromptColumnName = t.Columns.Prompt,
            OutputColumnName = t.Columns.Output,
            TextColumnName = t.Columns.TrainingText,
            Tokenizer = tokenizer.Kind,
            LowerCase = tokenizer.LowerCase,
            Normalization = tokenizer.Normalization,
            Sampling = t.Sampling,
            PredictionBatchSize = t.PredictionBatchSize,
            Model = t.Model.Options,
        };
    }

    protected override IEnumerable<(string Name, byte[] Bytes)> OwnEntries(RecurrentTextGeneratorTransformer t)
    {
        yield return ArchiveEntries.Of("vocabulary.json", t.TextStream.Vocabulary);
        if (t.TextStream.Tokenizer.Subwords is { } subwords) yield return ArchiveEntries.Of("subwords.json", subwords);
    }

    protected override torch.nn.Module Weights(RecurrentTextGeneratorTransformer t) => t.Model;

    protected override IArchivedTransformer Rebuild(ArchiveEntries entries, Metadata meta, MetadataCheck check)
    {
        check.Text(meta.Tokenizer, meta.Normalization);
        check.Column(meta.PromptColumnName, nameof(meta.PromptColumnName));
        check.Column(meta.OutputColumnName, nameof(meta.OutputColumnName));
        var sampling = check.Options(meta.Sampling, s => s.Validate(), nameof(meta.Sampling));
        var options = check.Options(meta.Model, o => o.Validate(), nameof(meta.Model));
        check.WeightsHold(ParameterBudget.LowerBound(options));
        var tokenizer = entries.ReadTokenizer(meta.Tokenizer, meta.LowerCase, meta.Normalization, "subwords.json");
        TextStream stream;
        try { stream = TextStream.Create(tokenizer, entries.ReadVocabulary("vocabulary.json")); }
        catch (ArgumentException e) { throw new InvalidDataException($"'{entries.File}' is corrupt: {e.Message}", e); }
        if (stream.Count != options.VocabularySize)
            throw new InvalidDataException($"'{entries.File}' is inconsistent: the model expects {options.VocabularySize} token ids, the vocabulary has {stream.Count}");
        if (sampling.Seed is null)
            throw new InvalidDataException($"'{entries.File}' is corrupt: '{entries.Prefix}meta.json' has no sampling seed");
        var model = LoadWeights(entries, LanguageModel.Create(options));
        var columns = new GeneratorColumns(meta.PromptColumnName, meta.OutputColumnName, meta.TextColumnName);
        return new RecurrentTextGeneratorTransformer(model, stream, columns, sampling, meta.PredictionBatchSize, training: null);
    }

    /// <summary>What is saved next to a text generator's weights to rebuild it.</summary>
    internal sealed record Metadata : IArchiveMetadata
    {
        public int FormatVersion { get; init; } = 1;
        public string PromptColumnName { get; init; } = "";
        public string OutputColumnName { get; init; } = "";
        public string TextColumnName { get; init; } = "";
        public TokenizerKind Tokenizer { get; init; }
        public bool LowerCase { get; init; }
        public TextNormalization Normalization { get; init; }
        public SamplingOptions Sampling { get; init; } = new();
        public int PredictionBatchSize { get; init; }
        public LanguageModelOptions Model { get; init; } = new();
    }
}
