using RnnMl.MLNet.Classification;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>How a <see cref="RecurrentTextClassifierTransformer"/> is written to and rebuilt from a model archive.</summary>
internal static class ClassifierArchive
{
    public const string Kind = "TextClassifier";

    public static IEnumerable<(string Name, byte[] Bytes)> Entries(RecurrentTextClassifierTransformer t)
    {
        var encoder = t.Core.Encoder;
        var meta = new ModelMetadata
        {
            Kind = t.Kind,
            TextColumnName = t.TextColumnName,
            OutputColumnNames = t.Outputs.Names,
            ClassNames = t.Outputs.ClassNames,
            InputKind = encoder.Kind,
            Tokenizer = encoder.Tokenizer.Kind,
            LowerCase = encoder.Tokenizer.LowerCase,
            Normalization = encoder.Tokenizer.Normalization,
            KeyCount = encoder.KeyCount,
            MaxSequenceLength = encoder.MaxLength,
            PredictionBatchSize = t.PredictionBatchSize,
            Model = t.Model.Options,
        };
        yield return ArchiveEntries.Json("meta.json", meta);
        if (encoder.Vocabulary is not null) yield return ArchiveEntries.Of("vocabulary.json", encoder.Vocabulary);
        if (encoder.Tokenizer.Subwords is { } subwords) yield return ArchiveEntries.Of("subwords.json", subwords);
        yield return ArchiveEntries.Of("weights.bin", t.Model);
    }

    public static IArchivedTransformer Rebuild(ArchiveEntries entries)
    {
        var meta = entries.ReadMetadata<ModelMetadata>("meta.json", m => m.FormatVersion);
        var check = new MetadataCheck(entries);
        check.Defined(meta.Kind, nameof(meta.Kind));
        check.Defined(meta.InputKind, nameof(meta.InputKind));
        check.Defined(meta.Tokenizer, nameof(meta.Tokenizer));
        check.Defined(meta.Normalization, nameof(meta.Normalization));
        check.Column(meta.TextColumnName, nameof(meta.TextColumnName));
        int outputCount = meta.Kind == ClassificationKind.Binary ? 3 : 2;
        check.Require(meta.OutputColumnNames is { } n && n.Length == outputCount && n.All(c => !string.IsNullOrWhiteSpace(c)),
            $"has {nameof(meta.OutputColumnNames)} [{string.Join(", ", meta.OutputColumnNames ?? Array.Empty<string>())}]; a {meta.Kind} classifier needs {outputCount} non-empty names");
        check.AtLeast(meta.PredictionBatchSize, 1, nameof(meta.PredictionBatchSize));
        check.AtLeast(meta.KeyCount, 0, nameof(meta.KeyCount));
        if (meta.MaxSequenceLength is int max) check.AtLeast(max, 1, nameof(meta.MaxSequenceLength));
        var options = check.Options(meta.Model, o => o.Validate(), nameof(meta.Model));
        check.Require(meta.Kind != ClassificationKind.Binary || options.ClassCount == 2, $"describes a binary classifier with {options.ClassCount} classes");
        check.Require(meta.ClassNames is null || (meta.ClassNames.Length == options.ClassCount && meta.ClassNames.All(c => c is not null)),
            $"has {meta.ClassNames?.Length} class names for {options.ClassCount} classes");
        check.WeightsHold(ParameterBudget.LowerBound(options));
        Vocabulary? vocabulary = meta.InputKind == InputColumnKind.Keys ? null : entries.ReadVocabulary("vocabulary.json");
        var tokenizer = Tokenizer.Create(meta.Tokenizer, meta.LowerCase, meta.Normalization, entries.ReadSubwords(meta.Tokenizer, "subwords.json"));
        var encoder = new TokenEncoder(meta.InputKind, tokenizer, vocabulary, meta.KeyCount, meta.MaxSequenceLength);
        if (encoder.VocabularySize != options.VocabularySize)
            throw new InvalidDataException($"'{entries.File}' is inconsistent: the model expects {options.VocabularySize} token ids, the vocabulary has {encoder.VocabularySize}");
        var model = SequenceClassifier.Create(options);
        entries.LoadWeights(model, "weights.bin");
        var names = meta.OutputColumnNames!;
        var outputs = meta.Kind == ClassificationKind.Binary
            ? new OutputColumns(meta.Kind, 2, names[0], names[1], names[2], meta.ClassNames)
            : new OutputColumns(meta.Kind, options.ClassCount, names[0], "", names[1], meta.ClassNames);
        return new RecurrentTextClassifierTransformer(new ClassifierCore(model, encoder, CPU), outputs, meta.TextColumnName, meta.PredictionBatchSize, training: null);
    }
}
