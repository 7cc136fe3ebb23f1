using RnnMl.MLNet.Classification;
using RnnMl.Text;
using RnnMl.Torch.Models;
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
        yield return ArchiveEntries.Of("weights.bin", t.Model);
    }

    public static IArchivedTransformer Rebuild(ArchiveEntries entries)
    {
        var meta = entries.ReadJson<ModelMetadata>("meta.json");
        if (meta.FormatVersion != 1)
            throw new InvalidDataException($"'{entries.File}': '{entries.Prefix}meta.json' has format version {meta.FormatVersion}; this library reads version 1");
        Vocabulary? vocabulary = meta.InputKind == InputColumnKind.Keys ? null : entries.ReadVocabulary("vocabulary.json");
        var tokenizer = Tokenizer.Create(meta.Tokenizer, meta.LowerCase, meta.Normalization);
        var encoder = new TokenEncoder(meta.InputKind, tokenizer, vocabulary, meta.KeyCount, meta.MaxSequenceLength);
        if (encoder.VocabularySize != meta.Model.VocabularySize)
            throw new InvalidDataException($"'{entries.File}' is inconsistent: the model expects {meta.Model.VocabularySize} token ids, the vocabulary has {encoder.VocabularySize}");
        var model = SequenceClassifier.Create(meta.Model);
        entries.LoadWeights(model, "weights.bin");
        var names = meta.OutputColumnNames;
        var outputs = meta.Kind == ClassificationKind.Binary
            ? new OutputColumns(meta.Kind, 2, names[0], names[1], names[2], meta.ClassNames)
            : new OutputColumns(meta.Kind, meta.Model.ClassCount, names[0], "", names[1], meta.ClassNames);
        return new RecurrentTextClassifierTransformer(new ClassifierCore(model, encoder, CPU), outputs, meta.TextColumnName, meta.PredictionBatchSize, training: null);
    }
}
