using RnnMl.Torch.Layers;
using RnnMl.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

/// <summary>A batch of example indices, tagged with where it came from so a task can misbehave on cue.</summary>
internal sealed record IndexBatch(int Epoch, int Batch, int[] Indices);

/// <summary>
/// y = w·x with one weight and no bias, MSE loss; the training targets have slope <see cref="TrainSlope"/>, the
/// validation targets slope <see cref="ValidationSlope"/> (none when null). Small enough to work out by hand.
/// </summary>
internal sealed class RegressionTask : ITrainingTask<IndexBatch>
{
    private readonly Tensor x;
    private readonly Tensor y;
    private readonly Tensor? validationY;
    private readonly int batchSize;

    public RegressionTask(int examples = 8, int batchSize = 8, double xValue = 1.0, double trainSlope = 2.0,
        double? validationSlope = null, int inputSize = 1, (int Epoch, int Batch)? nanAt = null, ScalarType dtype = ScalarType.Float32)
    {
        Linear = nn.Linear(inputSize, 1, hasBias: false, dtype: dtype);
        using (no_grad()) Linear.weight!.zero_();
        // Alternating signs keep E[x²] = xValue² while the data are not constant.
        x = (ones(examples, inputSize, dtype) * xValue * (arange(examples) % 2 * 2 - 1).unsqueeze(1).to(dtype)).DetachFromDisposeScope();
        y = (x.sum(1, keepdim: true) * trainSlope).DetachFromDisposeScope();
        validationY = validationSlope is { } v ? (x.sum(1, keepdim: true) * v).DetachFromDisposeScope() : null;
        this.batchSize = batchSize;
        NanAt = nanAt;
    }

    public Linear Linear { get; }

    public nn.Module Model => Linear;

    public (int Epoch, int Batch)? NanAt { get; }

    public int TrainingBatchCalls { get; private set; }

    public IEnumerable<IndexBatch> TrainingBatches(int epoch, Random random)
    {
        TrainingBatchCalls++;
        var batches = LengthBucketing.Batches(Enumerable.Repeat(1, (int)x.shape[0]).ToArray(), batchSize, random);
        return batches.Select((b, i) => new IndexBatch(epoch, i, b));
    }

    public IEnumerable<IndexBatch> ValidationBatches() =>
        validationY is null ? Array.Empty<IndexBatch>() : LengthBucketing.InOrder((int)x.shape[0], batchSize).Select((b, i) => new IndexBatch(-1, i, b));

    public BatchResult Evaluate(IndexBatch batch, bool training)
    {
        var idx = tensor(batch.Indices.Select(i => (long)i).ToArray());
        var target = (training ? y : validationY!).index_select(0, idx);
        var loss = nn.functional.mse_loss(Linear.forward(x.index_select(0, idx)), target);
        if (training && NanAt is { } at && at.Epoch == batch.Epoch && at.Batch == batch.Batch)
            loss = loss * double.NaN;
        return new BatchResult(loss, batch.Indices.Length);
    }

    public double Weight() => Linear.weight!.detach().to(ScalarType.Float64).flatten()[0].item<double>();
}

/// <summary>An LSTM over variable-length sequences, dropout, and a linear head with two classes.</summary>
internal sealed class SequenceClassifier : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Lstm lstm;
    private readonly Dropout dropout;
    private readonly Linear head;

    public SequenceClassifier(int inputSize, int hiddenSize, double dropoutRate, RecurrentBackend backend = RecurrentBackend.Auto) : base(nameof(SequenceClassifier))
    {
        lstm = Lstm.Create(inputSize, hiddenSize, batchFirst: true, backend: backend);
        dropout = nn.Dropout(dropoutRate);
        head = nn.Linear(hiddenSize, 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input, Tensor lengths)
    {
        var (_, state) = lstm.forward(input, null, lengths);
        return head.forward(dropout.forward(state.H[0]));
    }
}

/// <summary>Is the sum of the first feature over the valid steps positive? Sequences of length 2…6, 3 features.</summary>
internal sealed class SequenceClassificationTask : ITrainingTask<int[]>
{
    private const int Steps = 6, Features = 3;
    private readonly Tensor x, lengths, labels, validationX, validationLengths, validationLabels;
    private readonly int[] lengthList;
    private readonly int batchSize;

    public SequenceClassificationTask(int modelSeed, int examples = 64, int validationExamples = 32, int batchSize = 16, double dropout = 0.3,
        RecurrentBackend backend = RecurrentBackend.Auto)
    {
        manual_seed(modelSeed);
        Classifier = new SequenceClassifier(Features, 8, dropout, backend);
        // The data do not depend on the model's seed: two tasks with different models see the same examples.
        var generator = new Generator(1234);
        (x, lengths, labels) = Make(examples, generator);
        (validationX, validationLengths, validationLabels) = Make(validationExamples, generator);
        lengthList = lengths.data<long>().Select(l => (int)l).ToArray();
        this.batchSize = batchSize;
    }

    public SequenceClassifier Classifier { get; }

    public nn.Module Model => Classifier;

    public IEnumerable<int[]> TrainingBatches(int epoch, Random random) => LengthBucketing.Batches(lengthList, batchSize, random, poolBatches: 2);

    public IEnumerable<int[]> ValidationBatches() => LengthBucketing.InOrder((int)validationX.shape[0], batchSize).Select(b => b.Select(i => -1 - i).ToArray());

    public BatchResult Evaluate(int[] batch, bool training)
    {
        // Validation batches carry negative indices so one batch type serves both sets.
        bool validation = batch[0] < 0;
        var idx = tensor(batch.Select(i => (long)(validation ? -1 - i : i)).ToArray());
        var logits = Classifier.forward((validation ? validationX : x).index_select(0, idx), (validation ? validationLengths : lengths).index_select(0, idx));
        var target = (validation ? validationLabels : labels).index_select(0, idx);
        var loss = nn.functional.cross_entropy(logits, target);
        double correct = logits.argmax(1).eq(target).sum().to(ScalarType.Float64).item<double>();
        return new BatchResult(loss, batch.Length, new Dictionary<string, double> { ["correct"] = correct });
    }

    private static (Tensor X, Tensor Lengths, Tensor Labels) Make(int n, Generator generator)
    {
        var lens = randint(2, Steps + 1, new long[] { n }, dtype: ScalarType.Int64, generator: generator);
        var mask = (arange(Steps).unsqueeze(0) < lens.unsqueeze(1)).unsqueeze(2);
        var data = randn(new long[] { n, Steps, Features }, generator: generator) * mask;
        var label = (data.select(2, 0).sum(1) > 0).to(ScalarType.Int64);
        return (data.DetachFromDisposeScope(), lens.DetachFromDisposeScope(), label.DetachFromDisposeScope());
    }
}

/// <summary>A progress sink that runs its callback at once on the training thread (unlike <see cref="Progress{T}"/>, which posts).</summary>
internal sealed class SyncProgress : IProgress<TrainingProgress>
{
    private readonly Action<TrainingProgress> onReport;

    public SyncProgress(Action<TrainingProgress> onReport) => this.onReport = onReport;

    public void Report(TrainingProgress value) => onReport(value);
}

/// <summary>A fresh directory under the temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rnnml-trainer-" + Guid.NewGuid().ToString("N")));

    public string Path { get; }

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}

/// <summary>Copies and comparisons of a model's weights.</summary>
internal static class Weights
{
    public static Dictionary<string, Tensor> Copy(nn.Module model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());

    public static void AssertBitwiseEqual(IReadOnlyDictionary<string, Tensor> expected, nn.Module actual, string what)
    {
        var current = actual.state_dict();
        Assert.Equal(expected.Keys.OrderBy(k => k), current.Keys.OrderBy(k => k));
        foreach (var (name, tensor) in expected)
        {
            Assert.Equal(tensor.shape, current[name].shape);
            Assert.True(tensor.bytes.SequenceEqual(current[name].bytes),
                $"{what}: '{name}' differs (max |diff| {(tensor - current[name]).abs().max().to(ScalarType.Float64).item<double>():G3})");
        }
    }
}
