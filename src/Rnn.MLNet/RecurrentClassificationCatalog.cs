using RnnMl.MLNet.Classification;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Text;

namespace RnnMl.MLNet;

/// <summary>Adds the recurrent text classifier to ML.NET's binary and multiclass trainer catalogs.</summary>
/// <example>
/// <code>
/// var ml = new MLContext(seed: 1);
/// var binary = ml.BinaryClassification.Trainers.RecurrentTextClassifier(labelColumnName: "Label", textColumnName: "Text");
/// var multi = ml.Transforms.Conversion.MapValueToKey("Label")
///     .Append(ml.MulticlassClassification.Trainers.RecurrentTextClassifier(new RecurrentTextClassifierOptions { Epochs = 6 }))
///     .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
/// var model = binary.Fit(trainData);
/// </code>
/// </example>
public static class RecurrentClassificationCatalog
{
    /// <summary>A binary recurrent text classifier (Boolean label). Outputs Score, Probability and PredictedLabel.</summary>
    /// <param name="catalog"><c>mlContext.BinaryClassification.Trainers</c>.</param>
    /// <param name="labelColumnName">The Boolean label column. Default "Label".</param>
    /// <param name="textColumnName">The text, text-token or key-token column. Default "Text".</param>
    /// <param name="cell">The recurrent cell. Default LSTM.</param>
    /// <param name="hiddenSize">Hidden size. Default 128.</param>
    /// <param name="numLayers">Stacked layers. Default 1.</param>
    /// <param name="bidirectional">Read both ways. Default true.</param>
    /// <param name="pooling">How outputs over time become one vector. Default mean and max.</param>
    /// <param name="tokenizer">Word, character or subword tokens for a text column (subwords: <see cref="RecurrentTextOptions.SubwordVocabularySize"/> of the options overload, default 8,000). Default word.</param>
    /// <param name="epochs">Training epochs at most; null for the options' default (6, more on small data: <see cref="RecurrentTextClassifierOptions.MinimumSteps"/>).</param>
    /// <param name="batchSize">Examples per batch. Default 64.</param>
    /// <param name="learningRate">Peak learning rate (AdamW, warm-up then linear decay); null for the options' default (0.003).</param>
    /// <param name="ensembleSize">Classifiers trained and averaged (<see cref="RecurrentTextClassifierOptions.EnsembleSize"/>); null for the options' default (3).</param>
    public static RecurrentTextClassifierTrainer RecurrentTextClassifier(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label", string textColumnName = "Text", RecurrentCellKind cell = RecurrentCellKind.Lstm,
        int hiddenSize = 128, int numLayers = 1, bool bidirectional = true, PoolingKind pooling = PoolingKind.MeanMax,
        TokenizerKind tokenizer = TokenizerKind.Word, int? epochs = null, int batchSize = 64, double? learningRate = null, int? ensembleSize = null)
        => RecurrentTextClassifier(catalog, Options(labelColumnName, textColumnName, cell, hiddenSize, numLayers, bidirectional, pooling, tokenizer, epochs, batchSize, learningRate, ensembleSize));

    /// <summary>A binary recurrent text classifier (Boolean label) with all options.</summary>
    /// <param name="catalog"><c>mlContext.BinaryClassification.Trainers</c>.</param>
    /// <param name="options">The options; validated here.</param>
    public static RecurrentTextClassifierTrainer RecurrentTextClassifier(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        RecurrentTextClassifierOptions options)
        => new(EnvironmentAccess.From(catalog), options, ClassificationKind.Binary);

    /// <summary>A multiclass recurrent text classifier (key label; the class count is the key count). Outputs Score and PredictedLabel.</summary>
    /// <param name="catalog"><c>mlContext.MulticlassClassification.Trainers</c>.</param>
    /// <param name="labelColumnName">The key label column. Default "Label".</param>
    /// <param name="textColumnName">The text, text-token or key-token column. Default "Text".</param>
    /// <param name="cell">The recurrent cell. Default LSTM.</param>
    /// <param name="hiddenSize">Hidden size. Default 128.</param>
    /// <param name="numLayers">Stacked layers. Default 1.</param>
    /// <param name="bidirectional">Read both ways. Default true.</param>
    /// <param name="pooling">How outputs over time become one vector. Default mean and max.</param>
    /// <param name="tokenizer">Word, character or subword tokens for a text column (subwords: <see cref="RecurrentTextOptions.SubwordVocabularySize"/> of the options overload, default 8,000). Default word.</param>
    /// <param name="epochs">Training epochs at most; null for the options' default (6, more on small data: <see cref="RecurrentTextClassifierOptions.MinimumSteps"/>).</param>
    /// <param name="batchSize">Examples per batch. Default 64.</param>
    /// <param name="learningRate">Peak learning rate (AdamW, warm-up then linear decay); null for the options' default (0.003).</param>
    /// <param name="ensembleSize">Classifiers trained and averaged (<see cref="RecurrentTextClassifierOptions.EnsembleSize"/>); null for the options' default (3).</param>
    public static RecurrentTextClassifierTrainer RecurrentTextClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string textColumnName = "Text", RecurrentCellKind cell = RecurrentCellKind.Lstm,
        int hiddenSize = 128, int numLayers = 1, bool bidirectional = true, PoolingKind pooling = PoolingKind.MeanMax,
        TokenizerKind tokenizer = TokenizerKind.Word, int? epochs = null, int batchSize = 64, double? learningRate = null, int? ensembleSize = null)
        => RecurrentTextClassifier(catalog, Options(labelColumnName, textColumnName, cell, hiddenSize, numLayers, bidirectional, pooling, tokenizer, epochs, batchSize, learningRate, ensembleSize));

    /// <summary>A multiclass recurrent text classifier (key label) with all options.</summary>
    /// <param name="catalog"><c>mlContext.MulticlassClassification.Trainers</c>.</param>
    /// <param name="options">The options; validated here.</param>
    public static RecurrentTextClassifierTrainer RecurrentTextClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        RecurrentTextClassifierOptions options)
        => new(EnvironmentAccess.From(catalog), options, ClassificationKind.Multiclass);

    // The options' defaults, changed only by what the arguments give (setting Epochs switches MinimumSteps off).
    private static RecurrentTextClassifierOptions Options(string label, string text, RecurrentCellKind cell, int hiddenSize, int numLayers,
        bool bidirectional, PoolingKind pooling, TokenizerKind tokenizer, int? epochs, int batchSize, double? learningRate, int? ensembleSize)
    {
        var o = new RecurrentTextClassifierOptions
        {
            LabelColumnName = label,
            TextColumnName = text,
            Cell = cell,
            HiddenSize = hiddenSize,
            NumLayers = numLayers,
            Bidirectional = bidirectional,
            Pooling = pooling,
            Tokenizer = tokenizer,
            BatchSize = batchSize,
        };
        if (epochs is { } e) o.Epochs = e;
        if (learningRate is { } r) o.LearningRate = r;
        if (ensembleSize is { } k) o.EnsembleSize = k;
        return o;
    }
}
