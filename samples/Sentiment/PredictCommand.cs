using Microsoft.ML;
using RnnMl.MLNet;

namespace RnnMl.Samples.Sentiment;

/// <summary>The predict command: loads a saved model and prints each text's probability of being positive and its label.</summary>
internal static class PredictCommand
{
    public static int Run(PredictSettings s)
    {
        var ml = new MLContext();
        // A missing, corrupt or foreign file throws FileNotFoundException or InvalidDataException with a message that names it.
        var model = ml.Model.LoadRnnModel(s.ModelPath!, out _);
        var input = ml.Data.LoadFromEnumerable(s.Texts.Select(t => new ReviewInput { Text = t }));
        var scored = model.Transform(input);
        if (scored.Schema.GetColumnOrNull(nameof(ReviewPrediction.Probability)) is null || scored.Schema.GetColumnOrNull(nameof(ReviewPrediction.PredictedLabel)) is null)
        {
            Program.Error($"{s.ModelPath}: not a binary classifier (its output has no Probability and PredictedLabel columns)");
            return 1;
        }
        var predictions = ml.Data.CreateEnumerable<ReviewPrediction>(scored, reuseRowObject: false).Select(p => (p.Probability, p.PredictedLabel)).ToList();
        PredictionTable.Write(s.Texts, predictions);
        return 0;
    }
}
