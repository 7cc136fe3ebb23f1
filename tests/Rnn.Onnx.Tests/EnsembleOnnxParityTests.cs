using Microsoft.ML;
using RnnMl.Export;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;
using RnnMl.MLNet.Tests;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using static RnnMl.Onnx.Tests.Support.OnnxTestSupport;

namespace RnnMl.Onnx.Tests;

/// <summary>An exported <see cref="SequenceClassifierEnsemble"/>: ONNX Runtime's scores and probabilities equal TorchSharp's
/// (the log of the members' mean probability, not any one member's), and an ML.NET ensemble exports with its text.</summary>
public sealed class EnsembleOnnxParityTests
{
    [Theory]
    [InlineData(RecurrentCellKind.Lstm, PoolingKind.MeanMax)]
    [InlineData(RecurrentCellKind.Gru, PoolingKind.Attention)]
    public void Export_ThreeMembers_OnnxRuntimeScoresEqualTorchSharp(RecurrentCellKind cell, PoolingKind pooling)
    {
        using var ensemble = SequenceClassifierEnsemble.Create([Model(cell, 1, true, pooling, seed: 3), Model(cell, 1, true, pooling, seed: 4), Model(cell, 2, true, pooling, seed: 5)]);
        ensemble.eval();
        using var stream = new MemoryStream();
        OnnxExporter.Export(ensemble, stream);
        var (scores, probabilities) = OnnxScores(stream.ToArray(), Batch);

        var expected = TorchScores(ensemble, Batch);
        AssertClose(expected, scores);
        AssertClose(Softmax(expected), probabilities, 1e-5);
        // Not member 0's scores: the graph averages every member.
        var first = TorchScores(ensemble.Members[0], Batch);
        Assert.Contains(first.Zip(scores).SelectMany(p => p.First.Zip(p.Second)), p => Math.Abs(p.First - p.Second) > 1e-2);
    }

    [Fact]
    public void ExportRnnModelToOnnx_FittedEnsemble_OnnxTextClassifierGivesTheTransformersProbabilities()
    {
        var ml = new MLContext(seed: 1);
        var options = new RecurrentTextClassifierOptions { HiddenSize = 6, EmbeddingSize = 6, Epochs = 3, BatchSize = 16, EnsembleSize = 2, Seed = 1 };
        var train = ml.Data.LoadFromEnumerable(ToyData.Binary(200, 1, ToyData.Split.Train));
        using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(train);
        var texts = ToyData.Binary(20, 2, ToyData.Split.Test).Select(r => r.Text).Append("zebra quokka").ToArray();
        var expected = ml.Data.CreateEnumerable<Scored>(model.Transform(ml.Data.LoadFromEnumerable(texts.Select(t => new ToyData.TextRow { Text = t }))), reuseRowObject: false)
            .Select(r => r.Probability).ToArray();

        var path = Path.Combine(Path.GetTempPath(), $"rnnml-ensemble-{Guid.NewGuid():N}.onnx");
        try
        {
            ml.Model.ExportRnnModelToOnnx(model, path);
            using var onnx = OnnxTextClassifier.Load(path);
            for (int i = 0; i < texts.Length; i++)
                Assert.Equal(expected[i], onnx.Predict(texts[i]).Probabilities[1], 1e-5);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class Scored
    {
        public float Probability { get; set; }
    }
}
