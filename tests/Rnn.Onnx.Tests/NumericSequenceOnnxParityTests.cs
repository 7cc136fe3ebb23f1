using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.Export;
using RnnMl.MLNet;
using RnnMl.MLNet.NumericSequence;
using RnnMl.Text.Export;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RnnMl.Onnx.Tests;

/// <summary>An exported <see cref="NumericSequenceModel"/> run by <see cref="OnnxNumericSequenceModel"/> scores as
/// TorchSharp does (standardisation inside the graph), on a batch of lengths 1 to T; a perturbed weight breaks parity;
/// the ML.NET trainers' models export through <c>ExportRnnModelToOnnx</c>.</summary>
public sealed class NumericSequenceOnnxParityTests(ITestOutputHelper output) : IDisposable
{
    private const int F = 3, T = 7;
    private static readonly double[] Means = { 3, -40, 0.5 }, Stds = { 2, 25, 0.1 };
    private readonly string folder = Directory.CreateTempSubdirectory("rnnml-numeric-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static NumericSequenceModel Model(RecurrentCellKind cell, bool bidirectional, NumericSequenceHead head, PoolingKind pooling, int layers)
    {
        manual_seed(17);
        var model = NumericSequenceModel.Create(new NumericSequenceOptions
        {
            FeaturesPerStep = F, Outputs = head == NumericSequenceHead.Regression ? 2 : 3, Head = head, ProjectionSize = 4, HiddenSize = 5,
            NumLayers = layers, Bidirectional = bidirectional, Cell = cell, Pooling = pooling, Dropout = 0.3,
        });
        model.eval();
        return model;
    }

    /// <summary>Sequences of lengths 1, T, 4, T, 2, 5 in the data's units (feature f around μ_f with spread σ_f).</summary>
    private static List<float[]> Rows()
    {
        var random = new Random(4);
        return new[] { 1, T, 4, T, 2, 5 }.Select(t => Enumerable.Range(0, t * F)
            .Select(k => (float)(Means[k % F] + Stds[k % F] * (2 * random.NextDouble() - 1) * 1.5)).ToArray()).ToList();
    }

    /// <summary>TorchSharp's outputs on the standardised rows, a regression output scaled by σ_y = 3 and shifted by μ_y = 5.</summary>
    private static float[][] Torch(NumericSequenceModel model, List<float[]> rows)
    {
        var z = rows.Select(r => r.Select((v, k) => (float)((v - Means[k % F]) / Stds[k % F])).ToArray()).ToList();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (values, lengths) = NumericSequenceBatch.Create(z, F);
        var flat = model.forward(values, lengths).data<float>().ToArray();
        int k = model.Options.Outputs;
        bool regression = model.Options.Head == NumericSequenceHead.Regression;
        return Enumerable.Range(0, rows.Count).Select(i => flat.Skip(i * k).Take(k).Select(y => regression ? y * 3f + 5f : y).ToArray()).ToArray();
    }

    private string Export(NumericSequenceModel model, bool forwardFill = false)
    {
        bool regression = model.Options.Head == NumericSequenceHead.Regression;
        var info = regression ? new NumericSequenceModelInfo(Means, Stds, labelMean: 5, labelStd: 3, forwardFill: forwardFill)
            : new NumericSequenceModelInfo(Means, Stds, classNames: ["a", "b", "c"], forwardFill: forwardFill);
        var path = Path.Combine(folder, $"model-{Guid.NewGuid():N}.onnx");
        OnnxExporter.Export(model, path, info);
        return path;
    }

    private static double MaxDiff(float[][] a, IReadOnlyList<float[]> b) => a.Zip(b).Max(p => p.First.Zip(p.Second).Max(q => Math.Abs(q.First - q.Second)));

    [Theory]
    [InlineData(RecurrentCellKind.Lstm, false, NumericSequenceHead.Regression, PoolingKind.Last, 1)]
    [InlineData(RecurrentCellKind.Lstm, true, NumericSequenceHead.Classification, PoolingKind.MeanMax, 1)]
    [InlineData(RecurrentCellKind.Lstm, true, NumericSequenceHead.Regression, PoolingKind.Last, 2)]
    [InlineData(RecurrentCellKind.Gru, false, NumericSequenceHead.Classification, PoolingKind.Mean, 2)]
    [InlineData(RecurrentCellKind.Gru, true, NumericSequenceHead.Regression, PoolingKind.Max, 1)]
    [InlineData(RecurrentCellKind.Gru, true, NumericSequenceHead.Classification, PoolingKind.Last, 1)]
    public void Onnx_EqualsTorchSharp_OnAVariableLengthBatch_AndAPerturbedWeightBreaksIt(RecurrentCellKind cell, bool bidirectional, NumericSequenceHead head, PoolingKind pooling, int layers)
    {
        using var model = Model(cell, bidirectional, head, pooling, layers);
        var rows = Rows();
        var path = Export(model);
        using var onnx = OnnxNumericSequenceModel.Load(path);
        var expected = Torch(model, rows);
        double diff = MaxDiff(expected, onnx.Score(rows));
        output.WriteLine($"{cell} bidirectional={bidirectional} {head} {pooling} layers={layers}: max |torch − onnx| = {diff:E2}");
        Assert.True(diff <= 1e-4, $"max difference {diff}");
        if (head == NumericSequenceHead.Classification)
        {
            var predictions = onnx.Classify(rows);
            for (int i = 0; i < rows.Count; i++)
            {
                var e = expected[i].Select(v => Math.Exp(v)).ToArray();
                Assert.Equal(e.Select(v => v / e.Sum()).ToArray(), predictions[i].Probabilities.Select(p => (double)p).ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
                Assert.Equal(new[] { "a", "b", "c" }[Array.IndexOf(expected[i], expected[i].Max())], predictions[i].PredictedLabel);
            }
        }
        else Assert.Throws<InvalidOperationException>(() => onnx.Classify(rows));

        // The exported graph holds the weights it was given: change the first cell's recurrent weights (by 0.5 each) in TorchSharp and the two disagree.
        using (no_grad()) ((RnnMl.Torch.Cells.TorchLayoutCell)model.Encoder.Cells[0]).weight_hh.add_(0.5f);
        double perturbed = MaxDiff(Torch(model, rows), onnx.Score(rows));
        output.WriteLine($"perturbed: max |torch − onnx| = {perturbed:E2}");
        Assert.True(perturbed > 1e-4, $"a perturbed weight still matched within {perturbed}");
    }

    [Fact]
    public void BadSequences_AreRefusedNamingTheSequence_AndForwardFillFillsAsTheMetadataSays()
    {
        using var model = Model(RecurrentCellKind.Gru, false, NumericSequenceHead.Regression, PoolingKind.Last, 1);
        using var onnx = OnnxNumericSequenceModel.Load(Export(model));
        var rows = Rows();
        Assert.Contains("sequence 1 has 7 values", Assert.Throws<ArgumentException>(() => onnx.Score([rows[0], new float[7]])).Message);
        rows[1][4] = float.NaN;
        Assert.Contains("sequence 1, step 1, feature 1 is NaN", Assert.Throws<ArgumentException>(() => onnx.Score(rows)).Message);
        using var filling = OnnxNumericSequenceModel.Load(Export(model, forwardFill: true));
        Assert.True(filling.Info.ForwardFill);
        var filled = rows.Select(r => r.ToArray()).ToList();
        filled[1][4] = filled[1][1];
        Assert.Equal(onnx.Score(filled).SelectMany(v => v), filling.Score(rows).SelectMany(v => v));
        onnx.Dispose();
        Assert.Throws<ObjectDisposedException>(() => onnx.Score(filled));
        Assert.Throws<ObjectDisposedException>(() => onnx.Info);
    }

    [Theory]
    [InlineData(NumericSequenceTask.Regression)]
    [InlineData(NumericSequenceTask.BinaryClassification)]
    [InlineData(NumericSequenceTask.MulticlassClassification)]
    public void ExportRnnModelToOnnx_OfAnMLNetModel_GivesItsScores_Within1em4(NumericSequenceTask task)
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(2);
        var rows = Enumerable.Range(0, 120).Select(_ =>
        {
            var x = Enumerable.Range(0, 2 * random.Next(1, 9)).Select(k => (float)(k % 2 == 0 ? 100 + 20 * random.NextDouble() : -3 * random.NextDouble())).ToArray();
            return new Row { Features = x, Label = x[0] > 110, Value = 50 + x[^2], Size = x.Length < 6 ? "short" : x.Length < 12 ? "medium" : "long" };
        }).ToList();
        var options = new RecurrentNumericSequenceOptions { FeaturesPerStep = 2, HiddenSize = 8, Epochs = 2, Seed = 1, LabelColumnName = task == NumericSequenceTask.Regression ? "Value" : "Label" };
        var data = ml.Data.LoadFromEnumerable(rows);
        ITransformer model = task switch
        {
            NumericSequenceTask.Regression => ml.Regression.Trainers.RecurrentNumericSequence(options).Fit(data),
            NumericSequenceTask.BinaryClassification => ml.BinaryClassification.Trainers.RecurrentNumericSequence(options).Fit(data),
            // A chain: the export finds the numeric-sequence model inside it and takes the key's values as class names.
            _ => ml.Transforms.Conversion.MapValueToKey("Label", "Size").Append(ml.MulticlassClassification.Trainers.RecurrentNumericSequence(options)).Fit(data),
        };
        var path = Path.Combine(folder, "mlnet.onnx");
        ml.Model.ExportRnnModelToOnnx(model, path);
        using var onnx = OnnxNumericSequenceModel.Load(path);
        var scored = model.Transform(data);
        var onnxScores = onnx.Score(rows.Select(r => r.Features).ToList());
        double diff;
        if (task == NumericSequenceTask.MulticlassClassification)
        {
            var probabilities = scored.GetColumn<float[]>("Score").ToArray();
            var fromOnnx = onnx.Classify(rows.Select(r => r.Features).ToList());
            diff = probabilities.Zip(fromOnnx).Max(p => p.First.Zip(p.Second.Probabilities).Max(q => Math.Abs(q.First - q.Second)));
            Assert.Equal(new[] { "long", "medium", "short" }, onnx.Info.ClassNames!.Order());
        }
        else
        {
            var scores = scored.GetColumn<float>("Score").ToArray();
            // The binary Score is the margin l1 − l0 of the two logits.
            diff = scores.Zip(onnxScores).Max(p => Math.Abs(p.First - (task == NumericSequenceTask.Regression ? p.Second[0] : p.Second[1] - p.Second[0])));
        }
        output.WriteLine($"{task}: max |ML.NET − onnx| = {diff:E2}");
        Assert.True(diff <= 1e-4, $"max difference {diff}");
        if (task == NumericSequenceTask.BinaryClassification) Assert.Equal(["False", "True"], onnx.Info.ClassNames);
        (model as IDisposable)?.Dispose();
        foreach (var part in (model as IEnumerable<ITransformer>) ?? []) (part as IDisposable)?.Dispose();
    }

    public sealed class Row
    {
        [VectorType] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
        public float Value { get; set; }
        public string Size { get; set; } = "";
    }
}
