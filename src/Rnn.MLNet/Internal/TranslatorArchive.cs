using RnnMl.MLNet.Translation;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>How a <see cref="RecurrentTranslatorTransformer"/> is written to and rebuilt from a model archive.</summary>
internal sealed class TranslatorArchive : ArchiveFormat<RecurrentTranslatorTransformer, TranslatorMetadata>
{
    public static readonly TranslatorArchive Format = new();

    public override string Kind => "Translator";

    protected override TranslatorMetadata Describe(RecurrentTranslatorTransformer t)
    {
        var core = t.Core;
        return new TranslatorMetadata
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
    }

    protected override IEnumerable<(string Name, byte[] Bytes)> OwnEntries(RecurrentTranslatorTransformer t)
    {
        var core = t.Core;
        yield return ArchiveEntries.Of("source_vocabulary.json", core.Source.Vocabulary!);
        yield return ArchiveEntries.Of("target_vocabulary.json", core.TargetVocabulary);
        if (core.Source.Tokenizer.Subwords is { } source) yield return ArchiveEntries.Of("source_subwords.json", source);
        if (core.TargetTokenizer.Subwords is { } target) yield return ArchiveEntries.Of("target_subwords.json", target);
    }

    protected override torch.nn.Module Weights(RecurrentTranslatorTransformer t) => t.Core.Model;

    protected override IArchivedTransformer Rebuild(ArchiveEntries entries, TranslatorMetadata meta, MetadataCheck check)
    {
        check.Defined(meta.SourceTokenizer, nameof(meta.SourceTokenizer));
        check.Defined(meta.TargetTokenizer, nameof(meta.TargetTokenizer));
        check.Defined(meta.Normalization, nameof(meta.Normalization));
        check.Column(meta.SourceColumnName, nameof(meta.SourceColumnName));
        check.Column(meta.OutputColumnName, nameof(meta.OutputColumnName));
        check.AtLeast(meta.MaxSourceLength, 1, nameof(meta.MaxSourceLength));
        check.Options(meta.Decoding, d => d.Validate(), nameof(meta.Decoding));
        var options = check.Options(meta.Model, o => o.Validate(), nameof(meta.Model));
        check.WeightsHold(ParameterBudget.LowerBound(options));
        var sourceVocabulary = entries.ReadVocabulary("source_vocabulary.json");
        var targetVocabulary = entries.ReadVocabulary("target_vocabulary.json");
        if (sourceVocabulary.Count != options.SourceVocabularySize || targetVocabulary.Count != options.TargetVocabularySize)
            throw new InvalidDataException($"'{entries.File}' is inconsistent: the model expects {options.SourceVocabularySize} source and {options.TargetVocabularySize} target token ids, the vocabularies have {sourceVocabulary.Count} and {targetVocabulary.Count}");
        var sourceTokenizer = entries.ReadTokenizer(meta.SourceTokenizer, meta.LowerCase, meta.Normalization, "source_subwords.json");
        var targetTokenizer = entries.ReadTokenizer(meta.TargetTokenizer, meta.LowerCase, meta.Normalization, "target_subwords.json");
        var source = new TokenEncoder(InputColumnKind.Text, sourceTokenizer, sourceVocabulary, 0, meta.MaxSourceLength);
        var model = LoadWeights(entries, Seq2SeqModel.Create(options));
        var core = new TranslatorCore(model, source, targetTokenizer, targetVocabulary, meta.Decoding!.Validate(), CPU);
        return new RecurrentTranslatorTransformer(core, meta.SourceColumnName, meta.OutputColumnName, meta.PredictionBatchSize, training: null);
    }
}
