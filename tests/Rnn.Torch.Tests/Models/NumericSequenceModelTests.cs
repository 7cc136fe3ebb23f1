using RnnMl.Torch.Models;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Tests.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

/// <summary><see cref="NumericSequenceModel"/> and <see cref="NumericSequenceBatch"/>: shapes, missing values, padding, learning.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class NumericSequenceModelTests(ITestOutputHelper output) : OneTorchThread
{
    private static NumericSequenceModel Model(int features = 3, int outputs = 2, NumericSequenceHead head = NumericSequenceHead.Regression,
        PoolingKind pooling = PoolingKind.Last, bool bidirectional = false)
        => NumericSequenceModel.Create(new NumericSequenceOptions
        {
            FeaturesPerStep = features, Outputs = outputs, Head = head, ProjectionSize = 8, HiddenSize = 12,
            Pooling = pooling, Bidirectional = bidirectional,
        });

    [Fact]
    public void Batch_PadsAndForwardFillsHandComputedValues()
    {
        // Row 1: step 1 = (NaN, 8) → (5, 8); step 2 = (∞, NaN) → (5, 8), filled from the already filled step 1.
        float[][] rows = [[1, 2, 3, 4], [5, 6, float.NaN, 8, float.PositiveInfinity, float.NaN]];
        var (values, lengths) = NumericSequenceBatch.Create(rows, 2, MissingValuePolicy.ForwardFill);
        using (values)
        using (lengths)
        {
            Assert.Equal(new long[] { 2, 3, 2 }, values.shape);
            Assert.Equal(new long[] { 2, 3 }, lengths.data<long>().ToArray());
            Assert.Equal(new float[] { 1, 2, 3, 4, 0, 0 }, values[0].flatten().data<float>().ToArray());
            Assert.Equal(new float[] { 5, 6, 5, 8, 5, 8 }, values[1].flatten().data<float>().ToArray());
        }
    }

    [Fact]
    public void Batch_ReportsMissingValuesByRowStepAndFeature()
    {
        float[][] rows = [[1, 2, 3, 4], [5, 6, 7, float.NaN, 9, 10]];
        var e = Assert.Throws<ArgumentException>(() => NumericSequenceBatch.Create(rows, 2));
        Assert.Contains("row 1, step 1, feature 1", e.Message);
        var (filled, _) = NumericSequenceBatch.Create(rows, 2, MissingValuePolicy.ForwardFill);
        Assert.Equal(new float[] { 5, 6, 7, 6, 9, 10 }, filled[1].flatten().data<float>().ToArray());
        e = Assert.Throws<ArgumentException>(() => NumericSequenceBatch.Create([[1, 2], [float.NaN, 2, 3, 4]], 2, MissingValuePolicy.ForwardFill));
        Assert.Contains("row 1, step 0, feature 0", e.Message);
        Assert.Contains("nothing to forward-fill", e.Message);
        e = Assert.Throws<ArgumentException>(() => NumericSequenceBatch.Create([[1, 2, 3], [1, 2, 3, 4, 5, 6, 7]], 3));
        Assert.Contains("row 1 has 7 values", e.Message);
        Assert.Throws<ArgumentException>(() => NumericSequenceBatch.Create([[]], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => NumericSequenceBatch.Create([[1]], 0));
    }

    [Fact]
    public void Forward_RejectsShapesOneBadDimensionAtATime()
    {
        using var model = Model();
        using var good = zeros(2, 5, 3);
        using var lengths = tensor(new long[] { 5, 3 });
        using (var y = model.forward(good, lengths)) Assert.Equal(new long[] { 2, 2 }, y.shape);

        using var sevenFeatures = zeros(2, 5, 7);
        var e = Assert.Throws<ArgumentException>(() => model.forward(sevenFeatures, lengths));
        Assert.Contains("F = 7", e.Message);
        Assert.Contains("F = 3", e.Message);
        using var sevenLengths = ones(7, ScalarType.Int64);
        e = Assert.Throws<ArgumentException>(() => model.forward(good, sevenLengths));
        Assert.Equal("lengths", e.ParamName);
        Assert.Contains("[2]", e.Message);
        Assert.Contains("[7]", e.Message);
        using var tooLong = tensor(new long[] { 7, 3 });
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => model.forward(good, tooLong));
        Assert.Contains("row 0", r.Message);
        Assert.Contains("T = 5, got 7", r.Message);
        using var zero = tensor(new long[] { 5, 0 });
        Assert.Contains("row 1", Assert.Throws<ArgumentOutOfRangeException>(() => model.forward(good, zero)).Message);
        using var flat = zeros(2, 15);
        Assert.Contains("3-D", Assert.Throws<ArgumentException>(() => model.forward(flat, lengths)).Message);
        using var integers = zeros(new long[] { 2, 5, 3 }, ScalarType.Int64);
        Assert.Contains("floating point", Assert.Throws<ArgumentException>(() => model.forward(integers, lengths)).Message);
    }

    [Fact]
    public void Forward_NamesTheRowStepAndFeatureOfANonFiniteValueButIgnoresPadding()
    {
        using var model = Model();
        model.eval();
        using var lengths = tensor(new long[] { 5, 3 });
        using var x = randn(2, 5, 3);
        using var reference = model.forward(x, lengths);
        using (no_grad()) x[1, 4, 2] = tensor(float.NaN);          // padded step of row 1: ignored
        using (var y = model.forward(x, lengths)) Assert.True(y.allclose(reference, rtol: 0, atol: 0));
        using (no_grad()) x[1, 2, 1] = tensor(float.PositiveInfinity);
        var e = Assert.Throws<ArgumentException>(() => model.forward(x, lengths));
        Assert.Contains("row 1, step 2, feature 1", e.Message);
    }

    [Theory]
    [InlineData(PoolingKind.Last, false)]
    [InlineData(PoolingKind.Last, true)]
    [InlineData(PoolingKind.MeanMax, true)]
    [InlineData(PoolingKind.Mean, false)]
    [InlineData(PoolingKind.Max, false)]
    public void Forward_OfAPaddedRowEqualsTheRowAlone(PoolingKind pooling, bool bidirectional)
    {
        manual_seed(7);
        using var model = Model(pooling: pooling, bidirectional: bidirectional);
        model.eval();
        using var scope = NewDisposeScope();
        var x = randn(3, 7, 3);
        var lengths = tensor(new long[] { 7, 2, 5 });
        var batch = model.forward(x, lengths);
        for (int i = 0; i < 3; i++)
        {
            long t = lengths[i].item<long>();
            var alone = model.forward(x[i..(i + 1), ..(int)t, ..], tensor(new[] { t }));
            Assert.True(alone.allclose(batch[i..(i + 1)], rtol: 0, atol: 1e-5), $"row {i} differs when padded");
        }
    }

    /// <summary>Sequences of 3..12 steps, 2 features of N(0, 1): regression targets mean(feature 0) and last(feature 1); class = sign of Σ feature 0 − Σ feature 1.</summary>
    private static (List<float[]> Rows, float[] Targets, long[] Classes) Data(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<float[]>();
        var targets = new float[count * 2];
        var classes = new long[count];
        for (int i = 0; i < count; i++)
        {
            int t = random.Next(3, 13);
            var row = new float[t * 2];
            for (int k = 0; k < row.Length; k++) row[k] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            rows.Add(row);
            double sum0 = 0, sum1 = 0;
            for (int s = 0; s < t; s++) { sum0 += row[2 * s]; sum1 += row[2 * s + 1]; }
            targets[2 * i] = (float)(sum0 / t);
            targets[2 * i + 1] = row[2 * t - 1];
            classes[i] = sum0 - sum1 > 0 ? 1 : 0;
        }
        return (rows, targets, classes);
    }

    [Theory]
    [InlineData(NumericSequenceHead.Regression)]
    [InlineData(NumericSequenceHead.Classification)]
    public void Training_LearnsAHeldOutFunctionOfTheWholeSequence(NumericSequenceHead head)
    {
        var (trainRows, trainTargets, trainClasses) = Data(800, seed: 1);
        var (testRows, testTargets, testClasses) = Data(300, seed: 2);
        manual_seed(3);
        using var model = Model(features: 2, outputs: 2, head: head);
        using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
        var random = new Random(4);
        for (int epoch = 0; epoch < 25; epoch++)
        {
            var order = Enumerable.Range(0, trainRows.Count).ToArray();
            random.Shuffle(order);
            foreach (var chunk in order.Chunk(32))
            {
                using var scope = NewDisposeScope();
                var (x, lengths) = NumericSequenceBatch.Create(chunk.Select(i => trainRows[i]).ToList(), 2);
                var target = head == NumericSequenceHead.Regression
                    ? tensor(chunk.SelectMany(i => new[] { trainTargets[2 * i], trainTargets[2 * i + 1] }).ToArray()).reshape(chunk.Length, 2)
                    : tensor(chunk.Select(i => trainClasses[i]).ToArray());
                optimizer.zero_grad();
                model.Loss(model.forward(x, lengths), target).backward();
                optimizer.step();
            }
        }
        model.eval();
        using var testScope = NewDisposeScope();
        using var noGrad = no_grad();
        var (tx, tl) = NumericSequenceBatch.Create(testRows, 2);
        var predicted = model.forward(tx, tl);
        if (head == NumericSequenceHead.Regression)
        {
            var truth = tensor(testTargets).reshape(testRows.Count, 2);
            double mse = (predicted - truth).square().mean().item<float>();
            double variance = (truth - truth.mean(new long[] { 0 }, keepdim: true)).square().mean().item<float>();
            output.WriteLine($"held-out regression mse {mse:F4}, predicting the mean gives {variance:F4}");
            Assert.True(mse < 0.1 * variance, $"mse {mse}, variance {variance}");
        }
        else
        {
            double accuracy = (predicted.argmax(1) == tensor(testClasses)).to(ScalarType.Float64).mean().item<double>();
            double majority = Math.Max(testClasses.Average(), 1 - testClasses.Average());
            output.WriteLine($"held-out accuracy {accuracy:P1}, majority class {majority:P1}");
            Assert.True(accuracy > 0.9 && majority < 0.6, $"accuracy {accuracy}, majority {majority}");
        }
    }

    [Fact]
    public void Loss_AndOptions_RejectBadValues()
    {
        using var regression = Model(outputs: 2);
        using var outputs = zeros(4, 2);
        using var wrong = zeros(4, 7);
        Assert.Contains("[4, 2]", Assert.Throws<ArgumentException>(() => regression.Loss(outputs, wrong)).Message);
        using var classifier = Model(outputs: 2, head: NumericSequenceHead.Classification);
        using var classes = tensor(new long[] { 0, 1, 7, 0 });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => classifier.Loss(outputs, classes));
        Assert.Contains("row 2", e.Message);
        Assert.Contains("got 7", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>("Outputs", () => Model(outputs: 1, head: NumericSequenceHead.Classification));
        Assert.Throws<ArgumentOutOfRangeException>("FeaturesPerStep", () => Model(features: 0));
        Assert.Throws<ArgumentOutOfRangeException>("Pooling", () => Model(pooling: PoolingKind.Attention));
        var model = Model();
        model.Dispose();
        using var x = zeros(1, 2, 3);
        using var l = tensor(new long[] { 2 });
        Assert.Throws<ObjectDisposedException>(() => model.forward(x, l));
    }
}
