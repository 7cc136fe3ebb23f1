using RnnMl.MLNet.Translation;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>How a <see cref="RecurrentTranslatorTransformer"/> is written to and rebuilt from a model archive.</summary>
internal static class TranslatorArchive
{
    public const string Kind = "Translator";

    public static IEnumerable<(string Name, byte[] Bytes)> Entries(RecurrentTranslatorTransformer t)
    {
        var core = t.Core;
        var meta = new TranslatorMetadata
        {
            SourceColumnName = t.SourceColumnName,
            OutputColumnName = t.OutputColumnName,
            SourceTokenizer = core.Source.Tokenizer.Kind,
            TargetTokenizer = core.TargetTokenizer.Kind,
            LowerCase = core.Source.Tokenizer.LowerCase,
            Normalization = core.Source.Tokenizer.Normalization,
            MaxSourceLength = core.Source.MaxLength ?? int.MaxValue,
            PredictionBatchSize = t.PredictionBatchSize,
            Decoding = core.Decoding,
            Model = core.Model.Options,
        };
        yield return ArchiveEntries.Json("meta.json", meta);
        yield return ArchiveEntries.Of("source_vocabulary.json", core.Source.Vocabulary!);
        yield return ArchiveEntries.Of("target_vocabulary.json", core.TargetVocabulary);
        if (core.Source.Tokenizer.Subwords is { } source) yield return ArchiveEntries.Of("source_subwords.json", source);
        if (core.TargetTokenizer.Subwords is { } target) yield return ArchiveEntries.Of("target_subwords.json", target);
        yield return ArchiveEntries.Of("weights.bin", core.Model);
    }

    public static IArchivedTransformer Rebuild(ArchiveEntries entries)
    {
        var meta = entries.ReadMetadata<TranslatorMetadata>("meta.json", m => m.FormatVersion);
        var check = new MetadataCheck(entries);
        check.Defined(meta.SourceTokenizer, nameof(meta.SourceTokenizer));
        check.Defined(meta.TargetTokenizer, nameof(meta.TargetTokenizer));
        check.Defined(meta.Normalization, nameof(meta.Normalization));
        check.Column(meta.SourceColumnName, nameof(meta.SourceColumnName));
        check.Column(meta.OutputColumnName, nameof(meta.OutputColumnName));
        check.AtLeast(meta.PredictionBatchSize, 1, nameof(meta.PredictionBatchSize));
        check.AtLeast(meta.MaxSourceLength, 1, nameof(meta.MaxSourceLength));
        check.Options(meta.Decoding, d => d.Validate(), nameof(meta.Decoding));
        var options = check.Options(meta.Model, o => o.Validate(), nameof(meta.Model));
        check.WeightsHold(ParameterBudget.LowerBound(options));
        var sourceVocabulary = entries.ReadVocabulary("source_vocabulary.json");
        var targetVocabulary = entries.ReadVocabulary("target_vocabulary.json");
        if (sourceVocabulary.Count != options.SourceVocabularySize || targetVocabulary.Count != options.TargetVocabularySize)
            throw new InvalidDataException($"'{entries.File}' is inconsistent: the model expects {options.SourceVocabularySize} source and {options.TargetVocabularySize} target token ids, the vocabularies have {sourceVocabulary.Count} and {targetVocabulary.Count}");
        var sourceTokenizer = Tokenizer.Create(meta.SourceTokenizer, meta.LowerCase, meta.Normalization, entries.ReadSubwords(meta.SourceTokenizer, "source_subwords.json"));
        var targetTokenizer = Tokenizer.Create(meta.TargetTokenizer, meta.LowerCase, meta.Normalization, entries.ReadSubwords(meta.TargetTokenizer, "target_subwords.json"));
        var source = new TokenEncoder(InputColumnKind.Text, sourceTokenizer, sourceVocabulary, 0, meta.MaxSourceLength);
        var model = Seq2SeqModel.Create(options);
        entries.LoadWeights(model, "weights.bin");
        var core = new TranslatorCore(model, source, targetTokenizer, targetVocabulary, meta.Decoding!.Validate(), CPU);
        return new RecurrentTranslatorTransformer(core, meta.SourceColumnName, meta.OutputColumnName, meta.PredictionBatchSize, training: null);
    }
}
