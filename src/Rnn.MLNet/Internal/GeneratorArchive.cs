using RnnMl.MLNet.Generation;
using RnnMl.Torch.Decoding;

namespace RnnMl.MLNet.Internal;

/// <summary>How a <see cref="RecurrentTextGeneratorTransformer"/> is written to and rebuilt from a model archive.</summary>
internal static class GeneratorArchive
{
    public const string Kind = "TextGenerator";

    public static IEnumerable<(string Name, byte[] Bytes)> Entries(RecurrentTextGeneratorTransformer t)
    {
        var tokenizer = t.TextStream.Tokenizer;
        var meta = new Metadata
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
        yield return ArchiveEntries.Json("meta.json", meta);
        yield return ArchiveEntries.Of("vocabulary.json", t.TextStream.Vocabulary);
        if (tokenizer.Subwords is { } subwords) yield return ArchiveEntries.Of("subwords.json", subwords);
        yield return ArchiveEntries.Of("weights.bin", t.Model);
    }

    public static IArchivedTransformer Rebuild(ArchiveEntries entries)
    {
        var meta = entries.ReadMetadata<Metadata>("meta.json", m => m.FormatVersion);
        var check = new MetadataCheck(entries);
        check.Defined(meta.Tokenizer, nameof(meta.Tokenizer));
        check.Defined(meta.Normalization, nameof(meta.Normalization));
        check.Column(meta.PromptColumnName, nameof(meta.PromptColumnName));
        check.Column(meta.OutputColumnName, nameof(meta.OutputColumnName));
        check.AtLeast(meta.PredictionBatchSize, 1, nameof(meta.PredictionBatchSize));
        var sampling = check.Options(meta.Sampling, s => s.Validate(), nameof(meta.Sampling));
        var options = check.Options(meta.Model, o => o.Validate(), nameof(meta.Model));
        check.WeightsHold(ParameterBudget.LowerBound(options));
        var tokenizer = Tokenizer.Create(meta.Tokenizer, meta.LowerCase, meta.Normalization, entries.ReadSubwords(meta.Tokenizer, "subwords.json"));
        TextStream stream;
        try { stream = TextStream.Create(tokenizer, entries.ReadVocabulary("vocabulary.json")); }
        catch (ArgumentException e) { throw new InvalidDataException($"'{entries.File}' is corrupt: {e.Message}", e); }
        if (stream.Count != options.VocabularySize)
            throw new InvalidDataException($"'{entries.File}' is inconsistent: the model expects {options.VocabularySize} token ids, the vocabulary has {stream.Count}");
        if (sampling.Seed is null)
            throw new InvalidDataException($"'{entries.File}' is corrupt: '{entries.Prefix}meta.json' has no sampling seed");
        var model = LanguageModel.Create(options);
        entries.LoadWeights(model, "weights.bin");
        var columns = new GeneratorColumns(meta.PromptColumnName, meta.OutputColumnName, meta.TextColumnName);
        return new RecurrentTextGeneratorTransformer(model, stream, columns, sampling, meta.PredictionBatchSize, training: null);
    }

    /// <summary>What is saved next to a text generator's weights to rebuild it.</summary>
    private sealed record Metadata
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
