using RnnMl.MLNet.Tagging;
using RnnMl.Torch.Layers;

namespace RnnMl.MLNet;

/// <summary>The recurrent sequence tagger on ML.NET's multiclass classification catalog (where ML.NET's own token
/// classifier, <c>NamedEntityRecognition</c>, lives).</summary>
/// <example>
/// <code>
/// var tagger = ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(new RecurrentSequenceTaggerOptions { UseCrf = true, Epochs = 10 });
/// </code>
/// </example>
public static class RecurrentTaggingCatalog
{
    /// <summary>A recurrent sequence tagger: one tag per token. Adds <c>PredictedLabel</c> (a vector of keys) and <c>Score</c>.</summary>
    /// <param name="catalog"><c>mlContext.MulticlassClassification.Trainers</c>.</param>
    /// <param name="labelColumnName">The tags, <c>Vector&lt;Key&lt;UInt32&gt;&gt;</c> (e.g. <c>MapValueToKey</c> on a <c>Vector&lt;String&gt;</c>). Default "Label".</param>
    /// <param name="tokensColumnName">The tokens, <c>Vector&lt;String&gt;</c>, or text (String). Default "Tokens".</param>
    /// <param name="cell">The recurrent cell. Default LSTM.</param>
    /// <param name="hiddenSize">Hidden size per direction. Default 128.</param>
    /// <param name="useCrf">Decode with a linear-chain CRF. Default true.</param>
    /// <param name="characterEncoder">The character-level word encoder: BiLstm, Cnn or None. Default BiLstm.</param>
    /// <param name="epochs">Training epochs at most (early stopping usually ends sooner). Default 40.</param>
    public static RecurrentSequenceTaggerTrainer RecurrentSequenceTagger(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string tokensColumnName = "Tokens", RecurrentCellKind cell = RecurrentCellKind.Lstm, int hiddenSize = 128,
        bool useCrf = true, CharacterEncoderKind characterEncoder = CharacterEncoderKind.BiLstm, int epochs = 40)
        => RecurrentSequenceTagger(catalog, new RecurrentSequenceTaggerOptions
        {
            LabelColumnName = labelColumnName, TokensColumnName = tokensColumnName, Cell = cell, HiddenSize = hiddenSize,
            UseCrf = useCrf, CharacterEncoder = characterEncoder, Epochs = epochs,
        });

    /// <summary>A recurrent sequence tagger with all options.</summary>
    /// <param name="catalog"><c>mlContext.MulticlassClassification.Trainers</c>.</param>
    /// <param name="options">The options; validated here.</param>
    public static RecurrentSequenceTaggerTrainer RecurrentSequenceTagger(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        RecurrentSequenceTaggerOptions options)
        => new(EnvironmentAccess.From(catalog), options);
}
