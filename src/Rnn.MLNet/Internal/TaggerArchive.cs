using RnnMl.MLNet.Tagging;
using RnnMl.Text.Export;
using RnnMl.Text.Tagging;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>How a <see cref="RecurrentSequenceTaggerTransformer"/> is written to and rebuilt from a model archive.</summary>
internal sealed class TaggerArchive : ArchiveFormat<RecurrentSequenceTaggerTransformer, TaggerArchive.Metadata>
{
    public static readonly TaggerArchive Format = new();

    public override string Kind => "SequenceTagger";

    protected override Metadata Describe(RecurrentSequenceTaggerTransformer t)
    {
        var info = t.Core.Info;
        return new Metadata
        {
            TokensColumnName = t.Columns.Tokens,
            PredictedLabelColumnName = t.Columns.PredictedLabel,
            ScoreColumnName = t.Columns.Score,
            TextInput = t.Core.TextInput,
            Tokenizer = info.Tokenizer.Kind,
            Normalization = info.Tokenizer.Normalization,
            LowerCaseWords = info.LowerCaseWords,
            TagNames = info.TagNames.ToArray(),
            Scheme = t.Model.Options.Constraints is null ? null : t.Scheme,
            PredictionBatchSize = t.PredictionBatchSize,
            // The constraints are rebuilt from the tag names and the scheme.
            Model = t.Model.Options with { Constraints = null },
        };
    }

    protected override IEnumerable<(string Name, byte[] Bytes)> OwnEntries(RecurrentSequenceTaggerTransformer t)
    {
        yield return ArchiveEntries.Of("vocabulary.json", t.Core.Info.Vocabulary);
        if (t.Core.Info.Characters is { } characters) yield return ArchiveEntries.Of("characters.json", characters);
    }

    protected override torch.nn.Module Weights(RecurrentSequenceTaggerTransformer t) => t.Model;

    protected override IArchivedTransformer Rebuild(ArchiveEntries entries, Metadata meta, MetadataCheck check)
    {
        check.Text(meta.Tokenizer, meta.Normalization);
        if (meta.Scheme is { } scheme) check.Defined(scheme, nameof(meta.Scheme));
        check.Column(meta.TokensColumnName, nameof(meta.TokensColumnName));
        check.Column(meta.PredictedLabelColumnName, nameof(meta.PredictedLabelColumnName));
        check.Column(meta.ScoreColumnName, nameof(meta.ScoreColumnName));
        var options = check.Options(meta.Model, o => o.Validate(), nameof(meta.Model));
        check.Require(meta.TagNames is { } names && names.Length == options.TagCount && names.All(n => n is not null),
            $"has {meta.TagNames?.Length} tag names for {options.TagCount} tags");
        check.Require(meta.Scheme is null || options.UseCrf, "has a tag scheme but no CRF");
        check.WeightsHold(ParameterBudget.LowerBound(options));
        var vocabulary = entries.ReadVocabulary("vocabulary.json");
        var characters = options.HasCharacterEncoder ? entries.ReadVocabulary("characters.json") : null;
        if (vocabulary.Count != options.VocabularySize || (characters?.Count ?? 0) != options.CharacterVocabularySize)
            throw new InvalidDataException($"'{entries.File}' is inconsistent: the model expects {options.VocabularySize} word and {options.CharacterVocabularySize} character ids, the vocabularies have {vocabulary.Count} and {characters?.Count ?? 0}");
        TagTransitionConstraints? constraints = null;
        if (meta.Scheme is { } s)
        {
            try { constraints = TagTransitionConstraints.FromTagNames(meta.TagNames!, s); }
            catch (ArgumentException e) { throw new InvalidDataException($"'{entries.File}' is corrupt: '{entries.Prefix}meta.json' tag names do not fit scheme {s}: {e.Message}", e); }
        }
        var model = LoadWeights(entries, SequenceTagger.Create(options with { Constraints = constraints }));
        var info = new TaggerModelInfo(Tokenizer.Create(meta.Tokenizer, lowerCase: false, meta.Normalization), vocabulary, meta.TagNames!, characters, lowerCaseWords: meta.LowerCaseWords, casing: options.HasCasing);
        var columns = new TaggerColumns(meta.TokensColumnName, meta.PredictedLabelColumnName, meta.ScoreColumnName);
        return new RecurrentSequenceTaggerTransformer(new TaggerCore(model, info, meta.TextInput, CPU), columns, meta.PredictionBatchSize, training: null) { Scheme = meta.Scheme };
    }

    /// <summary>What is saved next to a tagger's weights to rebuild it.</summary>
    internal sealed record Metadata : IArchiveMetadata
    {
        public int FormatVersion { get; init; } = 1;
        public string TokensColumnName { get; init; } = "";
        public string PredictedLabelColumnName { get; init; } = "";
        public string ScoreColumnName { get; init; } = "";
        public bool TextInput { get; init; }
        public TokenizerKind Tokenizer { get; init; }
        public TextNormalization Normalization { get; init; }
        public bool LowerCaseWords { get; init; }
        public string[]? TagNames { get; init; }
        public TagScheme? Scheme { get; init; }
        public int PredictionBatchSize { get; init; }
        public SequenceTaggerOptions Model { get; init; } = new();
    }
}
