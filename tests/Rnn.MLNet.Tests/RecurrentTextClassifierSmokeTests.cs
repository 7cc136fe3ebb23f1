using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;

namespace RnnMl.MLNet.Tests;

public class RecurrentTextClassifierSmokeTests
{
    [Fact]
    public void Binary_FitsEvaluatesSavesAndLoads()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(ToyData.Binary(400, 1));
        var test = ml.Data.LoadFromEnumerable(ToyData.Binary(200, 2));
        var trainer = ml.BinaryClassification.Trainers.RecurrentTextClassifier(new RecurrentTextClassifierOptions { HiddenSize = 16, EmbeddingSize = 16, Epochs = 12, BatchSize = 16, LearningRate = 0.01, EarlyStoppingPatience = null });
        var model = trainer.Fit(train);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
        Assert.True(metrics.Accuracy > 0.9, $"accuracy {metrics.Accuracy}");
        var path = Path.Combine(Path.GetTempPath(), $"rnnml-smoke-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.SaveRnnModel(model, train.Schema, path);
            var loaded = ml.Model.LoadRnnModel(path, out _);
            var again = ml.BinaryClassification.Evaluate(loaded.Transform(test));
            Assert.Equal(metrics.Accuracy, again.Accuracy);
            Assert.Equal(metrics.AreaUnderRocCurve, again.AreaUnderRocCurve);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
