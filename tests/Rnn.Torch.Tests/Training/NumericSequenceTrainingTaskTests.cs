using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

/// <summary><see cref="NumericSequenceTrainingTask"/>: its batch loss is the model's loss of the padded batch, every row
/// is trained once per epoch, bad rows and heads are refused by name.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class NumericSequenceTrainingTaskTests : OneTorchThread
{
    private static NumericSequenceModel Model(NumericSequenceHead head, int outputs)
    {
        manual_seed(3);
        var model = NumericSequenceModel.Create(new NumericSequenceOptions { FeaturesPerStep = 2, Outputs = outputs, Head = head, ProjectionSize = 4, HiddenSize = 5 });
        model.eval();
        return model;
    }

    private static readonly float[][] Rows = [[1, 2], [3, 4, 5, 6, 7, 8], [0.5f, -1, 2, 2], [9, -9, 1, 1, 0, 0, 2, 3], [4, 4]];

    [Fact]
    public void ClassificationLoss_IsTheCrossEntropyOfThePaddedBatch_AndAccuracyCountsRightRows()
    {
        using var model = Model(NumericSequenceHead.Classification, 3);
        long[] classes = [0, 2, 1, 1, 0];
        var task = NumericSequenceTrainingTask.ForClassification(model, Rows, classes, [], [], batchSize: 2);
        using var scope = NewDisposeScope();
        var result = task.Evaluate(new ExampleBatch(false, [1, 3, 4]), training: false);
        var (values, lengths) = NumericSequenceBatch.Create([Rows[1], Rows[3], Rows[4]], 2);
        var logits = model.forward(values, lengths);
        var expected = model.Loss(logits, tensor(new long[] { 2, 1, 0 }));
        Assert.Equal(expected.item<float>(), result.Loss.item<float>(), 6);
        Assert.Equal(3, result.Count);
        long right = logits.argmax(1).eq(tensor(new long[] { 2, 1, 0 })).sum().item<long>();
        Assert.Equal(right, result.MetricSums!["accuracy"]);
        // One epoch visits every training row once.
        var seen = task.TrainingBatches(0, new Random(1)).SelectMany(b => b.Rows).Order().ToArray();
        Assert.Equal([0, 1, 2, 3, 4], seen);
    }

    [Fact]
    public void RegressionLoss_IsTheSquaredErrorOfThePaddedBatch()
    {
        using var model = Model(NumericSequenceHead.Regression, 2);
        float[][] targets = [[1, 0], [0, 1], [2, 2], [-1, 3], [0.5f, 0.5f]];
        var task = NumericSequenceTrainingTask.ForRegression(model, Rows, targets, [Rows[0]], [targets[0]], batchSize: 4);
        using var scope = NewDisposeScope();
        var result = task.Evaluate(new ExampleBatch(false, [0, 2]), training: false);
        var (values, lengths) = NumericSequenceBatch.Create([Rows[0], Rows[2]], 2);
        var y = model.forward(values, lengths).data<float>().ToArray();
        double mse = (Math.Pow(y[0] - 1, 2) + Math.Pow(y[1] - 0, 2) + Math.Pow(y[2] - 2, 2) + Math.Pow(y[3] - 2, 2)) / 4;
        Assert.Equal(mse, result.Loss.item<float>(), 5);
        Assert.Equal(1, task.ValidationCount);
    }

    [Fact]
    public void BadRowsAndHeads_AreRefusedByName()
    {
        using var regression = Model(NumericSequenceHead.Regression, 1);
        Assert.Contains("head must be Classification", Assert.Throws<ArgumentException>(() =>
            NumericSequenceTrainingTask.ForClassification(regression, Rows, [0, 0, 0, 0, 0], [], [], 2)).Message);
        float[][] odd = [[1, 2], [1, 2, 3]];
        Assert.Contains("row 1 has 3 values", Assert.Throws<ArgumentException>(() =>
            NumericSequenceTrainingTask.ForRegression(regression, odd, [[1f], [2f]], [], [], 2)).Message);
        Assert.Contains("row 1: there must be 1 targets, got 2", Assert.Throws<ArgumentException>(() =>
            NumericSequenceTrainingTask.ForRegression(regression, Rows.Take(2).ToList(), [[1f], [2f, 3f]], [], [], 2)).Message);
        using var classifier = Model(NumericSequenceHead.Classification, 3);
        Assert.Contains("row 2: classes must be between 0 and 2, got 3", Assert.Throws<ArgumentOutOfRangeException>(() =>
            NumericSequenceTrainingTask.ForClassification(classifier, Rows.Take(3).ToList(), [0, 1, 3], [], [], 2)).Message);
    }
}
