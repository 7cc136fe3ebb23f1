using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;
using RnnMl.MLNet.Tests;
using RnnMl.Onnx.Tests.Support;
using RnnMl.Text.Export;

namespace RnnMl.Onnx.Tests;

/// <summary>Exporting fitted and saved ML.NET models, and scoring the export inside ML.NET with ApplyOnnxModel.</summary>
public sealed class RnnOnnxOperationsTests(ExportedBinaryModelFixture fixture) : IClassFixture<ExportedBinaryModelFixture>
{
    [Fact]
    public void ExportRnnModelToOnnx_SavedModelFile_GivesTheSameScoresAsTheFittedModel()
    {
        var path = Path.Combine(fixture.Folder, "from-saved.onnx");
        fixture.Ml.Model.ExportRnnModelToOnnx(fixture.ModelPath, path);
        using var fromSaved = OnnxTextClassifier.Load(path);
        foreach (var text in ExportedBinaryModelFixture.Texts)
            Assert.Equal(fixture.Classifier.Predict(text).Scores, fromSaved.Predict(text).Scores);
    }

    [Fact]
    public void ExportRnnModelToOnnx_ModelWithoutClassifier_ThrowsNamingModel()
    {
        var data = fixture.Ml.Data.LoadFromEnumerable(ToyData.Binary(10, 3));
        var other = fixture.Ml.Transforms.Text.FeaturizeText("Features", "Text").Fit(data);
        var e = Assert.Throws<ArgumentException>(() => fixture.Ml.Model.ExportRnnModelToOnnx(other, Path.Combine(fixture.Folder, "x.onnx")));
        Assert.Equal("model", e.ParamName);
        Assert.Contains("exactly one RnnMl text classifier", e.Message);
        Assert.Contains("got 0", e.Message);
    }

    [Fact]
    public void ExportRnnModelToOnnx_ClassNames_AreStoredOrRejectedWhenTheCountIsWrong()
    {
        var path = Path.Combine(fixture.Folder, "named.onnx");
        fixture.Ml.Model.ExportRnnModelToOnnx(fixture.Model, path, new[] { "negative", "positive" });
        using (var named = OnnxTextClassifier.Load(path))
            Assert.Equal(new[] { "negative", "positive" }, named.Text.ClassNames);
        var e = Assert.Throws<ArgumentException>(() => fixture.Ml.Model.ExportRnnModelToOnnx(fixture.Model, path, new[] { "a", "b", "c" }));
        Assert.Equal("classNames", e.ParamName);
        Assert.Contains("model's 2 classes, got 3", e.Message);
    }

    [Fact]
    public void ExportRnnModelToOnnx_MulticlassChain_StoresKeyValuesAsClassNames()
    {
        var ml = new MLContext(seed: 1);
        var rows = ToyData.Multiclass(150, 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        using var holder = new DisposableChain(ml.Transforms.Conversion.MapValueToKey("Label", "Topic")
            .Append(ml.MulticlassClassification.Trainers.RecurrentTextClassifier(new RecurrentTextClassifierOptions
            {
                HiddenSize = 6, EmbeddingSize = 6, Epochs = 4, BatchSize = 16, LearningRate = 0.02, EarlyStoppingPatience = null, Seed = 1,
            })).Fit(data));
        var path = Path.Combine(fixture.Folder, "multiclass.onnx");
        ml.Model.ExportRnnModelToOnnx(holder.Model, path);
        using var classifier = OnnxTextClassifier.Load(path);
        var scored = ml.Data.CreateEnumerable<MulticlassScore>(holder.Model.Transform(data), reuseRowObject: false).ToList();
        Assert.Equal(3, classifier.ClassCount);
        for (int i = 0; i < 20; i++)
        {
            var p = classifier.Predict(rows[i].Text);
            OnnxTestSupport.AssertClose(new[] { scored[i].Score }, new[] { p.Probabilities });
            Assert.Equal(classifier.Text.ClassNames![(int)scored[i].PredictedLabel - 1], p.PredictedLabel);
        }
        Assert.Equal(new[] { "sport", "music", "food" }.Order(), classifier.Text.ClassNames!.Order());
    }

    [Fact]
    public void ApplyOnnxModel_WithTokenizingCustomMapping_EqualsTransformerProbabilities()
    {
        // The README's ML.NET pipeline: tokenize with the exported text settings, then ONNX Runtime through OnnxTransformer.
        var ml = fixture.Ml;
        var text = fixture.Classifier.Text;
        var pipeline = ml.Transforms.CustomMapping<ToyData.TextRow, OnnxInput>((input, output) =>
            {
                var ids = text.Encode(input.Text);
                output.Tokens = ids.Length == 0 ? new long[] { 0 } : ids;
                output.Lengths = new long[] { output.Tokens.Length };
            }, contractName: null)
            .Append(ml.Transforms.ApplyOnnxModel(
                outputColumnNames: new[] { ClassifierGraphNames.Probabilities },
                inputColumnNames: new[] { ClassifierGraphNames.Tokens, ClassifierGraphNames.Lengths },
                modelFile: fixture.OnnxPath));
        var input = ml.Data.LoadFromEnumerable(ExportedBinaryModelFixture.Texts.Select(t => new ToyData.TextRow { Text = t }));
        var scored = pipeline.Fit(input).Transform(input);
        var probabilities = ml.Data.CreateEnumerable<OnnxOutput>(scored, reuseRowObject: false).ToList();
        var expected = fixture.MlNetPredictions(ExportedBinaryModelFixture.Texts);
        Assert.Equal(expected.Count, probabilities.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(2, probabilities[i].Probabilities.Length);
            Assert.True(Math.Abs(probabilities[i].Probabilities[1] - expected[i].Probability) <= 1e-4,
                $"row {i}: transformer {expected[i].Probability}, ApplyOnnxModel {probabilities[i].Probabilities[1]}");
        }
    }

    private sealed class OnnxInput
    {
        [ColumnName(ClassifierGraphNames.Tokens)]
        [VectorType]
        public long[] Tokens { get; set; } = Array.Empty<long>();

        [ColumnName(ClassifierGraphNames.Lengths)]
        [VectorType(1)]
        public long[] Lengths { get; set; } = Array.Empty<long>();
    }

    private sealed class OnnxOutput
    {
        [ColumnName(ClassifierGraphNames.Probabilities)]
        public float[] Probabilities { get; set; } = Array.Empty<float>();
    }

    private sealed class MulticlassScore
    {
        public float[] Score { get; set; } = Array.Empty<float>();
        public uint PredictedLabel { get; set; }
    }

    private sealed class DisposableChain(ITransformer model) : IDisposable
    {
        public ITransformer Model { get; } = model;

        public void Dispose()
        {
            foreach (var part in (IEnumerable<ITransformer>)Model)
                (part as IDisposable)?.Dispose();
        }
    }
}
