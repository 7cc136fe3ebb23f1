using RnnMl.Torch.Models;
using Classifier = RnnMl.Torch.Models.SequenceClassifier;
using RnnMl.Torch.Tests.Support;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

/// <summary><see cref="SequenceClassifierTrainingTask"/> (and the batching of <see cref="BucketedTrainingTask{TExample}"/>):
/// its loss is libtorch's cross-entropy on the padded batch, every row is trained once per epoch, it learns a
/// context-dependent class on held-out sequences, and bad rows are named.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class SequenceClassifierTrainingTaskTests : OneTorchThread
{
    // Ids 2–9; the class is 1 when id 2 comes somewhere before id 3, which no single token tells.
    private static (long[] Tokens, long Label) Sequence(Random random)
    {
        var tokens = Enumerable.Range(0, random.Next(2, 12)).Select(_ => (long)random.Next(2, 10)).ToArray();
        int first2 = Array.IndexOf(tokens, 2L), last3 = Array.LastIndexOf(tokens, 3L);
        return (tokens, first2 >= 0 && last3 > first2 ? 1 : 0);
    }

    private static Classifier Model(int seed = 4)
    {
        manual_seed(seed);
        return Classifier.Create(new SequenceClassifierOptions
        {
            VocabularySize = 10, ClassCount = 2, EmbeddingSize = 8, HiddenSize = 16, Dropout = 0, EmbeddingDropout = 0, InputDropout = 0, OutputDropout = 0,
        });
    }

    private sealed class Probe(Classifier model, IReadOnlyList<long[]> tokens, IReadOnlyList<long> labels)
    {
        public SequenceClassifierTrainingTask Task { get; } = new(model, tokens, labels, tokens, labels, batchSize: 7, validationBatchSize: 5);
    }

    [Fact]
    public void Evaluate_IsCrossEntropyOfThePaddedBatch_AndCountsRightClasses()
    {
        var random = new Random(1);
        var rows = Enumerable.Range(0, 20).Select(_ => Sequence(random)).ToList();
        using var model = Model();
        model.eval();
        var task = new Probe(model, rows.Select(r => r.Tokens).ToList(), rows.Select(r => r.Label).ToList()).Task;
        var batch = new ExampleBatch(false, new[] { 3, 0, 17, 9 });

        using var scope = NewDisposeScope();
        var result = task.Evaluate(batch, training: false);
        var (tokens, lengths) = TokenBatch.Pad(batch.Rows.Select(r => rows[r].Tokens).ToList());
        var logits = model.forward(tokens, lengths);
        var target = tensor(batch.Rows.Select(r => rows[r].Label).ToArray());
        var expected = -logits.log_softmax(1).gather(1, target.unsqueeze(1)).mean().item<float>();
        long right = batch.Rows.Select((r, i) => logits[i].argmax().item<long>() == rows[r].Label ? 1 : 0).Sum();

        Assert.Equal(expected, result.Loss.item<float>(), 5);
        Assert.Equal(4, result.Count);
        Assert.Equal(right, result.MetricSums!["accuracy"]);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.9)]
    public void LabelSmoothing_TrainingLossIsTheSmoothedCrossEntropy_ValidationLossThePlainOne(double epsilon)
    {
        // Seven classes, so that ε/C and 1 − ε + ε/C are told apart from ε/2 and any two-class shortcut.
        var random = new Random(6);
        var rows = Enumerable.Range(0, 20).Select(_ => Sequence(random)).Select((r, i) => (r.Tokens, Label: (long)(i % 7))).ToList();
        manual_seed(4);
        using var model = Classifier.Create(new SequenceClassifierOptions
        {
            VocabularySize = 10, ClassCount = 7, EmbeddingSize = 8, HiddenSize = 16, Dropout = 0, EmbeddingDropout = 0, InputDropout = 0, OutputDropout = 0,
        });
        var tokens = rows.Select(r => r.Tokens).ToList();
        var labels = rows.Select(r => r.Label).ToList();
        var task = new SequenceClassifierTrainingTask(model, tokens, labels, tokens, labels, batchSize: 7) { LabelSmoothing = epsilon };
        Assert.Equal(epsilon, task.LabelSmoothing);
        var batch = new ExampleBatch(false, new[] { 3, 0, 17, 9, 12 });

        using var scope = NewDisposeScope();
        var (padded, lengths) = TokenBatch.Pad(batch.Rows.Select(r => rows[r].Tokens).ToList());
        var logProbabilities = model.forward(padded, lengths).log_softmax(1).to_type(ScalarType.Float64).data<double>().ToArray();
        double smoothed = 0, plain = 0;
        for (int i = 0; i < batch.Rows.Length; i++)
            for (int c = 0; c < 7; c++)
            {
                bool truth = c == rows[batch.Rows[i]].Label;
                double q = (truth ? 1 - epsilon : 0) + epsilon / 7;
                smoothed -= q * logProbabilities[i * 7 + c] / batch.Rows.Length;
                if (truth) plain -= logProbabilities[i * 7 + c] / batch.Rows.Length;
            }

        double training = task.Evaluate(batch, training: true).Loss.item<float>();
        double validation = task.Evaluate(batch, training: false).Loss.item<float>();
        Assert.True(Math.Abs(smoothed - plain) > 0.01, $"smoothed {smoothed} and plain {plain} must differ for the test to tell them apart");
        Assert.Equal(smoothed, training, 5);
        Assert.Equal(plain, validation, 5);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void LabelSmoothing_OutsideZeroToOne_IsRefusedNamingTheValue(double epsilon)
    {
        using var model = Model();
        var tokens = new List<long[]> { new long[] { 2, 3 }, new long[] { 4 } };
        RnnAssert.Throws("LabelSmoothing", () => new SequenceClassifierTrainingTask(model, tokens, new long[] { 0, 1 }, tokens, new long[] { 0, 1 }, 7) { LabelSmoothing = epsilon },
            epsilon.ToString(System.Globalization.CultureInfo.InvariantCulture), "[0, 1)");
    }

    [Fact]
    public void Batches_TrainEveryRowOncePerEpoch_ValidateInLengthOrder()
    {
        var random = new Random(2);
        var rows = Enumerable.Range(0, 23).Select(_ => Sequence(random)).ToList();
        using var model = Model();
        var task = new Probe(model, rows.Select(r => r.Tokens).ToList(), rows.Select(r => r.Label).ToList()).Task;

        var epoch = task.TrainingBatches(0, new Random(5)).ToList();
        Assert.Equal(Enumerable.Range(0, 23), epoch.SelectMany(b => b.Rows).Order());
        Assert.All(epoch, b => Assert.InRange(b.Rows.Length, 1, 7));
        Assert.All(epoch, b => Assert.False(b.Validation));

        var valid = task.ValidationBatches().ToList();
        Assert.Equal(new[] { 5, 5, 5, 5, 3 }, valid.Select(b => b.Rows.Length));
        var lengths = valid.SelectMany(b => b.Rows).Select(r => rows[r].Tokens.Length).ToList();
        Assert.Equal(lengths.Order(), lengths);
        Assert.All(valid, b => Assert.True(b.Validation));
    }

    [Fact]
    public void Fit_LearnsAnOrderDependentClass_OnHeldOutSequences()
    {
        var random = new Random(3);
        var train = Enumerable.Range(0, 800).Select(_ => Sequence(random)).ToList();
        var seen = train.Select(s => string.Join(",", s.Tokens)).ToHashSet();
        var heldOut = Enumerable.Range(0, 4000).Select(_ => Sequence(random)).Where(s => !seen.Contains(string.Join(",", s.Tokens))).Take(300).ToList();
        Assert.Equal(300, heldOut.Count);
        double majority = Math.Max(heldOut.Average(s => s.Label), 1 - heldOut.Average(s => s.Label));

        using var model = Model();
        var task = new SequenceClassifierTrainingTask(model, train.Select(s => s.Tokens).ToList(), train.Select(s => s.Label).ToList(),
            heldOut.Take(100).Select(s => s.Tokens).ToList(), heldOut.Take(100).Select(s => s.Label).ToList(), batchSize: 16);
        Trainer.Create(new TrainerOptions { Epochs = 12, LearningRate = 0.02, Seed = 1, SelectionMetric = "accuracy", SelectionMetricHigherIsBetter = true }).Fit(task);

        model.eval();
        var test = heldOut.Skip(100).ToList();
        using var scope = NewDisposeScope();
        var (tokens, lengths) = TokenBatch.Pad(test.Select(s => s.Tokens).ToList());
        var predicted = model.forward(tokens, lengths).argmax(1).data<long>().ToArray();
        double accuracy = test.Select((s, i) => predicted[i] == s.Label ? 1.0 : 0).Average();
        Assert.True(majority < 0.8, $"the majority class ({majority:P1}) is too strong for the task to prove anything");
        Assert.True(accuracy >= 0.9 && accuracy >= majority + 0.1, $"accuracy {accuracy:P1}, majority {majority:P1}");
    }

    [Fact]
    public void BadRowsAndArguments_NameTheRowAndBothValues()
    {
        using var model = Model();
        var tokens = new List<long[]> { new long[] { 2, 3 }, new long[] { 4 }, new long[] { 5, 6, 7 }, new long[] { 8 } };
        RnnAssert.Throws("trainLabels", () => new SequenceClassifierTrainingTask(model, tokens, new long[] { 0, 1, 0, 7 }, tokens, new long[] { 0, 1, 0, 1 }, 7), "row 3", "7", "between 0 and 1");
        RnnAssert.Throws("validLabels", () => new SequenceClassifierTrainingTask(model, tokens, new long[] { 0, 1, 0, 1 }, tokens, new long[] { 0, 1, 0 }, 7), "(4)", "got 3");
        RnnAssert.Throws("batchSize", () => new SequenceClassifierTrainingTask(model, tokens, new long[] { 0, 1, 0, 1 }, tokens, new long[] { 0, 1, 0, 1 }, -7), "-7");
        RnnAssert.Throws("validationBatchSize", () => new SequenceClassifierTrainingTask(model, tokens, new long[] { 0, 1, 0, 1 }, tokens, new long[] { 0, 1, 0, 1 }, 7, validationBatchSize: 0), "0");
    }
}
