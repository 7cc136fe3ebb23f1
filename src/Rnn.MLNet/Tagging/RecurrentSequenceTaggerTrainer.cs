namespace RnnMl.MLNet.Tagging;

/// <summary>
/// Trains a recurrent sequence tagger (word embedding + optional character BiLSTM → BiLSTM/GRU encoder → per-token
/// linear head → optional linear-chain CRF; Lample et al. 2016) inside an ML.NET pipeline: one tag per token, as in
/// part-of-speech tagging and named-entity recognition. Created by
/// <c>mlContext.MulticlassClassification.Trainers.RecurrentSequenceTagger(...)</c>. The best epoch is the one with the
/// highest validation token accuracy.
/// </summary>
/// <example>
/// <code>
/// // Rows: Tokens (string[]) and Tags (string[]), one tag per token.
/// var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Tags")
///     .Append(ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(labelColumnName: "Label", tokensColumnName: "Tokens"))
///     .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedTags", "PredictedLabel"));
/// var model = pipeline.Fit(sentences);
/// </code>
/// </example>
public sealed class RecurrentSequenceTaggerTrainer : RecurrentEstimator<RecurrentSequenceTaggerOptions, RecurrentSequenceTaggerTransformer>
{
    internal RecurrentSequenceTaggerTrainer(IHostEnvironment env, RecurrentSequenceTaggerOptions options)
        : base(env, options, "RnnMl.RecurrentSequenceTagger", o => new TaggerFit(o), TaggerFit.OutputSchema)
    {
    }
}
