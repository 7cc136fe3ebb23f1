using Microsoft.ML;
using RnnMl.Bench.Sentiment;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;
using RnnMl.Samples.Sentiment.Tests;

namespace RnnMl.Onnx.Tests;

/// <summary>On real data: an exported, briefly trained sentiment model predicts the same labels as TorchSharp on all of SST-2 dev.</summary>
public sealed class Sst2OnnxParityTests
{
    [SharedDataFact("datasets/sst2/dev.tsv")]
    public void Export_BrieflyTrainedSentimentModel_SameLabelsAsTorchSharpOnSst2Dev()
    {
        var devPath = SharedData.File("datasets/sst2/dev.tsv")!;
        var trainPath = Path.Combine(Path.GetDirectoryName(devPath)!, "train.tsv");
        Assert.True(File.Exists(trainPath), $"{trainPath} is missing beside dev.tsv");
        var train = Sst2.Read(trainPath).Take(3000).ToList();
        var dev = Sst2.Read(devPath);

        var ml = new MLContext(seed: 1);
        using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(new RecurrentTextClassifierOptions
        {
            HiddenSize = 16, EmbeddingSize = 16, Epochs = 2, BatchSize = 32, Seed = 1, EarlyStoppingPatience = null, EnsembleSize = 2,
        }).Fit(ml.Data.LoadFromEnumerable(train));
        var torch = ml.Data.CreateEnumerable<Prediction>(model.Transform(ml.Data.LoadFromEnumerable(dev)), reuseRowObject: false).ToList();

        var path = Path.Combine(Path.GetTempPath(), $"rnnml-sst2-{Guid.NewGuid():N}.onnx");
        try
        {
            ml.Model.ExportRnnModelToOnnx(model, path);
            using var onnx = OnnxTextClassifier.Load(path);
            var predictions = onnx.Predict(dev.Select(r => r.Text).ToList());
            Assert.Equal(dev.Count, predictions.Count);
            int differentLabels = 0;
            double maxDiff = 0;
            for (int i = 0; i < dev.Count; i++)
            {
                if ((predictions[i].PredictedClass == 1) != torch[i].PredictedLabel) differentLabels++;
                maxDiff = Math.Max(maxDiff, Math.Abs(predictions[i].Probabilities[1] - torch[i].Probability));
            }
            Assert.True(differentLabels == 0, $"{differentLabels} of {dev.Count} dev labels differ between ONNX Runtime and TorchSharp");
            Assert.True(maxDiff <= 1e-4, $"the largest probability difference is {maxDiff:E2}, above 1e-4");
            // A model that predicts one class for everything would make the comparison empty.
            Assert.Contains(predictions, p => p.PredictedClass == 0);
            Assert.Contains(predictions, p => p.PredictedClass == 1);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class Prediction
    {
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }
}
