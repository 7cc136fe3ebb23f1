using RnnMl.MLNet.Classification;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>How a <see cref="RecurrentTextClassifierTransformer"/> is written to and rebuilt from a model archive.</summary>
internal sealed class ClassifierArchive : ArchiveFormat<RecurrentTextClassifierTransformer, ModelMetadata>
{
    public static readonly ClassifierArchive Format = new();

    public override string Kind => "TextClassifier";

    protected override ModelMetadata Describe(RecurrentTextClassifierTransformer t)
    {
        var encoder = t.Core.Encoder;
        return new ModelMetadata
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
            EnsembleSize = t.Members.Count > 1 ? t.Members.Count : null,
        };
    }

    protected override IEnumerable<(string Name, byte[] Bytes)> OwnEntries(RecurrentTextClassifierTransformer t)
    {
        var encoder = t.Core.Encoder;
        if (encoder.Vocabulary is not null) yield return ArchiveEntries.Of("vocabulary.json", encoder.Vocabulary);
        if (encoder.Tokenizer.Subwords is { } subwords) yield return ArchiveEntries.Of("subwords.json", subwords);
        for (int k = 1; k < t.Members.Count; k++) yield return ArchiveEntries.Of(MemberWeights(k), t.Members[k]);
    }

    /// <summary>The entry of ensemble member <paramref name="k"/> ≥ 1's weights (member 0's are <c>weights.bin</c>).</summary>
    public static string MemberWeights(int k) => $"weights-{k}.bin";

    protected override torch.nn.Module Weights(RecurrentTextClassifierTransformer t) => t.Model;

    protected override IArchivedTransformer Rebuild(ArchiveEntries entries, ModelMetadata meta, MetadataCheck check)
    {
        check.Defined(meta.Kind, nameof(meta.Kind));
        check.Defined(meta.InputKind, nameof(meta.InputKind));
        check.Text(meta.Tokenizer, meta.Normalization);
        check.Column(meta.TextColumnName, nameof(meta.TextColumnName));
        int outputCount = meta.Kind == ClassificationKind.Binary ? 3 : 2;
        check.Require(meta.OutputColumnNames is { } n && n.Length == outputCount && n.All(c => !string.IsNullOrWhiteSpace(c)),
            $"has {nameof(meta.OutputColumnNames)} [{string.Join(", ", meta.OutputColumnNames ?? Array.Empty<string>())}]; a {meta.Kind} classifier needs {outputCount} non-empty names");
        check.AtLeast(meta.KeyCount, 0, nameof(meta.KeyCount));
        if (meta.MaxSequenceLength is int max) check.AtLeast(max, 1, nameof(meta.MaxSequenceLength));
        var options = check.Options(meta.Model, o => o.Validate(), nameof(meta.Model));
        check.Require(meta.Kind != ClassificationKind.Binary || options.ClassCount == 2, $"describes a binary classifier with {options.ClassCount} classes");
        check.Require(meta.ClassNames is null || (meta.ClassNames.Length == options.ClassCount && meta.ClassNames.All(c => c is not null)),
            $"has {meta.ClassNames?.Length} class names for {options.ClassCount} classes");
        int size = meta.EnsembleSize ?? 1;
        check.AtLeast(size, 1, nameof(meta.EnsembleSize));
        for (int k = 0; k < size; k++) check.WeightsHold(ParameterBudget.LowerBound(options), k == 0 ? WeightsEntry : MemberWeights(k));
        Vocabulary? vocabulary = meta.InputKind == InputColumnKind.Keys ? null : entries.ReadVocabulary("vocabulary.json");
        var tokenizer = entries.ReadTokenizer(meta.Tokenizer, meta.LowerCase, meta.Normalization, "subwords.json");
        var encoder = new TokenEncoder(meta.InputKind, tokenizer, vocabulary, meta.KeyCount, meta.MaxSequenceLength);
        if (encoder.VocabularySize != options.VocabularySize)
            throw new InvalidDataException($"'{entries.File}' is inconsistent: the model expects {options.VocabularySize} token ids, the vocabulary has {encoder.VocabularySize}");
        var members = new List<SequenceClassifier>();
        SequenceClassifierEnsemble model;
        try
        {
            for (int k = 0; k < size; k++)
            {
                var member = SequenceClassifier.Create(options);
                entries.LoadWeights(member, k == 0 ? WeightsEntry : MemberWeights(k)); // disposes the member on failure
                members.Add(member);
            }
            model = SequenceClassifierEnsemble.Create(members);
        }
        catch
        {
            foreach (var m in members) m.Dispose();
            throw;
        }
        var names = meta.OutputColumnNames!;
        var outputs = meta.Kind == ClassificationKind.Binary
            ? new OutputColumns(meta.Kind, 2, names[0], names[1], names[2], meta.ClassNames)
            : new OutputColumns(meta.Kind, options.ClassCount, names[0], "", names[1], meta.ClassNames);
        return new RecurrentTextClassifierTransformer(new ClassifierCore(model, encoder, CPU), outputs, meta.TextColumnName, meta.PredictionBatchSize, training: null);
    }
}
