using RnnMl.Torch.Layers;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

[Collection(GlobalTorchRandomCollection.Name)]
public class TrainerTests
{
    [Fact]
    public void Fit_SequenceClassifier_TrainingLossFalls()
    {
        var task = new SequenceClassificationTask(modelSeed: 1);
        var trainer = Trainer.Create(new TrainerOptions { Epochs = 12, LearningRate = 0.02, EarlyStoppingPatience = null });

        var result = trainer.Fit(task);

        Assert.Equal(TrainingStopReason.Completed, result.StopReason);
        Assert.Equal(12, result.History.Count);
        Assert.True(result.History[^1].TrainLoss < 0.5 * result.History[0].TrainLoss,
            $"train loss went from {result.History[0].TrainLoss:F4} to {result.History[^1].TrainLoss:F4}");
        Assert.Equal(64, result.History[0].TrainCount);
        Assert.InRange(result.History[^1].TrainMetrics["correct"], 0.0, 1.0);
        Assert.NotNull(result.History[^1].ValidationLoss);
    }

    [Fact]
    public void Fit_LeavesNoGradients_SoATrainedModelHoldsItsWeightsOnly()
    {
        var task = new SequenceClassificationTask(modelSeed: 1);
        Trainer.Create(new TrainerOptions { Epochs = 1, LearningRate = 0.02 }).Fit(task);
        Assert.All(task.Model.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void Fit_ResumedFromCheckpointAfterTwoEpochs_IsBitwiseIdenticalToFourEpochsStraight()
    {
        using var straightDir = new TempDirectory();
        using var splitDir = new TempDirectory();
        // Adam (moments and step counts must be restored) and dropout (torch's generator must be reseeded) make this
        // fail if either is missing from the checkpoint; the final weights are compared, not the best ones.
        var options = new TrainerOptions { Epochs = 4, LearningRate = 0.01, Optimizer = OptimizerKind.Adam, RestoreBestWeights = false, EarlyStoppingPatience = null, Seed = 7 };

        var straightTask = new SequenceClassificationTask(modelSeed: 1);
        var straight = Trainer.Create(options with { CheckpointDirectory = straightDir.Path }).Fit(straightTask);

        var firstTask = new SequenceClassificationTask(modelSeed: 1);
        var first = Trainer.Create(options with { Epochs = 2, CheckpointDirectory = splitDir.Path }).Fit(firstTask);
        // A model initialised differently proves that the weights come from the checkpoint.
        var resumedTask = new SequenceClassificationTask(modelSeed: 99);
        var resumed = Trainer.Create(options with { CheckpointDirectory = splitDir.Path }).Fit(resumedTask);

        Assert.False(first.ResumedFromCheckpoint);
        Assert.True(resumed.ResumedFromCheckpoint);
        Assert.Equal(TrainingStopReason.Completed, resumed.StopReason);
        Weights.AssertBitwiseEqual(Weights.Copy(straightTask.Model), resumedTask.Model, "resumed vs straight");
        AssertSameHistory(straight.History, resumed.History);
        Assert.Equal(straight.BestEpoch, resumed.BestEpoch);
        Assert.False(File.Exists(Path.Combine(splitDir.Path, "trainer.checkpoint.tmp")));
    }

    [Fact]
    public void Fit_CheckpointOfFinishedRun_ReturnsItsResultWithoutTraining()
    {
        using var dir = new TempDirectory();
        var options = new TrainerOptions { Epochs = 2, LearningRate = 0.1, Optimizer = OptimizerKind.Sgd, Momentum = 0.5, CheckpointDirectory = dir.Path };
        var firstTask = new RegressionTask(batchSize: 2, validationSlope: 2.0);
        var first = Trainer.Create(options).Fit(firstTask);

        var againTask = new RegressionTask(batchSize: 2, validationSlope: 2.0);
        var again = Trainer.Create(options).Fit(againTask);

        Assert.True(again.ResumedFromCheckpoint);
        Assert.Equal(0, againTask.TrainingBatchCalls);
        Assert.Equal(first.StopReason, again.StopReason);
        Assert.Equal(first.BestEpoch, again.BestEpoch);
        AssertSameHistory(first.History, again.History);
        Assert.Equal(firstTask.Weight(), againTask.Weight());
    }

    [Fact]
    public void Fit_Float64SgdWithMomentum_ResumedFromCheckpoint_EqualsTheStraightRun()
    {
        // Guards OptimizerFactory's SGD momentum-buffer workaround: TorchSharp would otherwise make the loaded buffer
        // float32 for float64 parameters. Momentum carries state across the split, so a lost buffer changes the weight.
        using var straightDir = new TempDirectory();
        using var splitDir = new TempDirectory();
        var options = new TrainerOptions { Epochs = 4, LearningRate = 0.05, Optimizer = OptimizerKind.Sgd, Momentum = 0.7, GradientClipNorm = null, EarlyStoppingPatience = null };
        var straightTask = new RegressionTask(batchSize: 2, dtype: ScalarType.Float64);
        Trainer.Create(options with { CheckpointDirectory = straightDir.Path }).Fit(straightTask);

        Trainer.Create(options with { Epochs = 2, CheckpointDirectory = splitDir.Path }).Fit(new RegressionTask(batchSize: 2, dtype: ScalarType.Float64));
        var resumedTask = new RegressionTask(batchSize: 2, dtype: ScalarType.Float64);
        var resumed = Trainer.Create(options with { CheckpointDirectory = splitDir.Path }).Fit(resumedTask);

        Assert.True(resumed.ResumedFromCheckpoint);
        Assert.Equal(ScalarType.Float64, resumedTask.Linear.weight!.dtype);
        Assert.Equal(straightTask.Weight(), resumedTask.Weight());
    }

    [Fact]
    public void Fit_ValidationWorsensAfterEpochOne_StopsAfterPatienceEpochsAndRestoresEpochOneWeights()
    {
        // Full-batch SGD on y = 2x from w = 0 with lr 0.15 gives w = 0.6, 1.02, 1.31, 1.52, …; validation targets
        // y = 1x are best matched after epoch 1 and then ever worse.
        var task = new RegressionTask(trainSlope: 2.0, validationSlope: 1.0);
        var options = new TrainerOptions { Epochs = 10, LearningRate = 0.15, Optimizer = OptimizerKind.Sgd, Momentum = 0, GradientClipNorm = null, EarlyStoppingPatience = 2 };
        var snapshots = new Dictionary<int, Dictionary<string, Tensor>>();
        var progress = new SyncProgress(p =>
        {
            if (p.CompletedEpoch is { } done) snapshots[done.Epoch] = Weights.Copy(task.Model);
        });

        var result = Trainer.Create(options).Fit(task, progress);

        Assert.Equal(TrainingStopReason.EarlyStopped, result.StopReason);
        Assert.Equal(1, result.BestEpoch);
        Assert.Equal(4, result.History.Count);
        Assert.Equal(new[] { true, true, false, false }, result.History.Select(h => h.IsBest));
        // Messages count epochs from 1: the best epoch, index 1, is "epoch 2".
        Assert.Contains("restored the weights of epoch 2", result.Message);
        Weights.AssertBitwiseEqual(snapshots[1], task.Model, "final vs best epoch");
        Assert.NotEqual(snapshots[3]["weight"].item<float>(), task.Linear.weight!.item<float>());
    }

    [Fact]
    public void Fit_LossBecomesNaN_StopsWithNonFiniteLossAndKeepsLastFiniteEpochWeights()
    {
        var task = new RegressionTask(batchSize: 2, nanAt: (2, 3));
        var snapshots = new Dictionary<int, Dictionary<string, Tensor>>();
        var progress = new SyncProgress(p =>
        {
            if (p.CompletedEpoch is { } done) snapshots[done.Epoch] = Weights.Copy(task.Model);
        });

        var result = Trainer.Create(new TrainerOptions { Epochs = 5, LearningRate = 0.05 }).Fit(task, progress);

        Assert.Equal(TrainingStopReason.NonFiniteLoss, result.StopReason);
        // nanAt is 0-based (epoch index 2, batch index 3); messages count from 1.
        Assert.Contains("NaN at epoch 3, batch 4", result.Message);
        Assert.Contains("weights of epoch 2", result.Message);
        Assert.Equal(2, result.History.Count);
        Assert.False(task.Linear.weight!.isnan().any().item<bool>());
        Weights.AssertBitwiseEqual(snapshots[1], task.Model, "after NaN vs epoch 1");
    }

    [Fact]
    public void Fit_LearningRateTooHigh_StopsAsDivergedAndKeepsTheLastGoodEpochWeights()
    {
        // Full-batch SGD on y = 2x (x = ±1) from w = 0 with lr 1.5: w ← w − 3(w − 2) gives w = 6, −6, 18, … and losses
        // 4, 16, 64: epoch 3's 64 is more than 10× epoch 1's 4. On main this ran to the end and reported Completed.
        var task = new RegressionTask(batchSize: 8);
        var options = new TrainerOptions { Epochs = 6, LearningRate = 1.5, Optimizer = OptimizerKind.Sgd, Momentum = 0, GradientClipNorm = null };
        var messages = new List<string>();
        var result = Trainer.Create(options).Fit(task, new SyncProgress(p => { if (p.Message is { } m) messages.Add(m); }));

        Assert.Equal(TrainingStopReason.Diverged, result.StopReason);
        Assert.Equal(new[] { 4.0, 16.0 }, result.History.Select(h => Math.Round(h.TrainLoss, 4)));
        Assert.Contains("training loss of epoch 3 is 64", result.Message);
        Assert.Contains("kept the weights of epoch 2", result.Message);
        Assert.Contains(result.Message, messages);
        Assert.Equal(-6.0, task.Weight(), 4);
    }

    [Fact]
    public void Fit_DivergingWithinTheFirstEpoch_StopsAsDivergedWithTheInitialWeights()
    {
        // Four batches of two: losses 4, 16, 64, 256 (mean 85, more than 10× the first batch's 4).
        var task = new RegressionTask(batchSize: 2);
        var options = new TrainerOptions { Epochs = 3, LearningRate = 1.5, Optimizer = OptimizerKind.Sgd, Momentum = 0, GradientClipNorm = null };
        var result = Trainer.Create(options).Fit(task);

        Assert.Equal(TrainingStopReason.Diverged, result.StopReason);
        Assert.Empty(result.History);
        Assert.Contains("first batch's 4", result.Message);
        Assert.Contains("kept the initial weights", result.Message);
        Assert.Equal(0.0, task.Weight());
    }

    [Fact]
    public void Fit_ConvergingRun_IsNotMistakenForDivergence()
    {
        var task = new RegressionTask(batchSize: 2);
        var options = new TrainerOptions { Epochs = 4, LearningRate = 0.1, Optimizer = OptimizerKind.Sgd, Momentum = 0, GradientClipNorm = null };
        Assert.Equal(TrainingStopReason.Completed, Trainer.Create(options).Fit(task).StopReason);
    }

    [Fact]
    public void Fit_CheckpointDirectoryNotWritable_ThrowsBeforeTheFirstEpoch()
    {
        using var dir = new TempDirectory();
        // A file where the folder should be: no folder can be created there (permissions do not stop root).
        var file = Path.Combine(dir.Path, "not-a-folder");
        File.WriteAllText(file, "");
        var task = new RegressionTask(batchSize: 2);
        var e = Assert.Throws<ArgumentException>(() => Trainer.Create(new TrainerOptions { Epochs = 2, LearningRate = 0.05, CheckpointDirectory = Path.Combine(file, "checkpoints") }).Fit(task));
        Assert.Equal("CheckpointDirectory", e.ParamName);
        Assert.Contains("cannot be written", e.Message);
        Assert.Equal(0, task.TrainingBatchCalls);
    }

    [Theory]
    [InlineData(3.5e38)]
    [InlineData(1e6)]
    [InlineData(1000.5)]
    public void Validate_LearningRateAboveOneThousand_ThrowsNamingTheLimit(double learningRate)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { LearningRate = learningRate }.Validate());
        Assert.Equal("LearningRate", e.ParamName);
        Assert.Contains("at most 1000", e.Message);
        new TrainerOptions { LearningRate = TrainerOptions.MaxLearningRate }.Validate();
    }

    [Fact]
    public void Fit_CancelledFromProgressCallback_ReturnsCancelledWithCompletedEpochs()
    {
        var task = new RegressionTask(batchSize: 2, validationSlope: 2.0);
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.CompletedEpoch?.Epoch == 1) cts.Cancel();
        });

        var result = Trainer.Create(new TrainerOptions { Epochs = 10, LearningRate = 0.05 }).Fit(task, progress, cts.Token);

        Assert.Equal(TrainingStopReason.Cancelled, result.StopReason);
        Assert.Equal(2, result.History.Count);
        Assert.Contains("cancelled at epoch 3", result.Message);
    }

    [Fact]
    public void Fit_StepDecay_HalvesTheLearningRateEveryEpoch()
    {
        var task = new RegressionTask(batchSize: 2);
        var result = Trainer.Create(new TrainerOptions { Epochs = 4, LearningRate = 0.01, Schedule = LearningRateSchedule.StepDecay, StepDecayGamma = 0.5 }).Fit(task);

        Assert.Equal(new[] { 0.01, 0.005, 0.0025, 0.00125 }, result.History.Select(h => h.LearningRate));
    }

    [Fact]
    public void Fit_Cosine_EndsNearZero()
    {
        var task = new RegressionTask(batchSize: 2);
        var result = Trainer.Create(new TrainerOptions { Epochs = 5, LearningRate = 0.01, Schedule = LearningRateSchedule.Cosine }).Fit(task);

        var rates = result.History.Select(h => h.LearningRate).ToArray();
        Assert.True(rates.Zip(rates.Skip(1)).All(p => p.Second < p.First), string.Join(", ", rates));
        Assert.True(rates[^1] < 0.01 * 0.01, $"last learning rate {rates[^1]}");
        Assert.Equal(0.01, Trainer.LearningRateAt(new TrainerOptions { Epochs = 5, LearningRate = 0.01, Schedule = LearningRateSchedule.Cosine }, 0, 0, 4));
    }

    [Fact]
    public void LearningRateAt_WarmupLinearDecay_RisesToTheBaseRateThenDecays()
    {
        var options = new TrainerOptions { Epochs = 10, LearningRate = 1.0, Schedule = LearningRateSchedule.WarmupLinearDecay, WarmupFraction = 0.1 };
        var rates = Enumerable.Range(0, 100).Select(s => Trainer.LearningRateAt(options, s / 10, s, 10)).ToArray();

        Assert.True(rates.Take(10).Zip(rates.Skip(1).Take(9)).All(p => p.Second > p.First), "warm-up must rise");
        Assert.Equal(0.1, rates[0], 12);
        Assert.Equal(1.0, rates.Max(), 12);
        Assert.True(rates.Skip(10).Zip(rates.Skip(11)).All(p => p.Second < p.First), "after warm-up the rate must fall");
        Assert.True(rates[^1] < 0.02, $"last learning rate {rates[^1]}");
    }

    [Fact]
    public void Fit_HugeGradient_IsClippedToTheMaxNorm()
    {
        // MSE on x = ±1000, y = 2x from w = 0: the gradient is −4e6, so one SGD step of lr 0.1 moves w by 4e5 unclipped
        // and by exactly lr · maxNorm = 0.1 when clipped to norm 1.
        var options = new TrainerOptions { Epochs = 1, LearningRate = 0.1, Optimizer = OptimizerKind.Sgd, Momentum = 0 };
        var clipped = new RegressionTask(xValue: 1000);
        var unclipped = new RegressionTask(xValue: 1000);

        Trainer.Create(options with { GradientClipNorm = 1.0 }).Fit(clipped);
        Trainer.Create(options with { GradientClipNorm = null }).Fit(unclipped);

        Assert.Equal(0.1, clipped.Weight(), 5);
        Assert.True(unclipped.Weight() > 1e5, $"unclipped step moved w to {unclipped.Weight()}");
    }

    [Fact]
    public void Fit_CheckpointOfDifferentModel_IsRefusedNamingTheParameter()
    {
        using var dir = new TempDirectory();
        var options = new TrainerOptions { Epochs = 1, CheckpointDirectory = dir.Path };
        Trainer.Create(options).Fit(new RegressionTask(inputSize: 1));

        var error = Assert.Throws<InvalidOperationException>(() => Trainer.Create(options with { Epochs = 2 }).Fit(new RegressionTask(inputSize: 3)));

        Assert.Contains("different model", error.Message);
        Assert.Contains("'weight'", error.Message);
        Assert.Contains("[1, 3]", error.Message);
    }

    [Fact]
    public void Fit_CheckpointWrittenWithOtherOptions_IsRefusedNamingTheOption()
    {
        using var dir = new TempDirectory();
        Trainer.Create(new TrainerOptions { Epochs = 1, LearningRate = 0.01, CheckpointDirectory = dir.Path }).Fit(new RegressionTask());

        var error = Assert.Throws<InvalidOperationException>(() =>
            Trainer.Create(new TrainerOptions { Epochs = 2, LearningRate = 0.02, CheckpointDirectory = dir.Path }).Fit(new RegressionTask()));

        Assert.Contains("LearningRate = 0.01", error.Message);
        Assert.Contains("0.02", error.Message);
    }

    [Theory]
    [InlineData(RecurrentBackend.Auto)]
    [InlineData(RecurrentBackend.Composed)]
    [InlineData(RecurrentBackend.ComposedGemm)]
    [InlineData(RecurrentBackend.FusedRagged)]
    public void Fit_ManyEpochs_LiveTensorCountStaysFlat(RecurrentBackend backend)
    {
        using var dir = new TempDirectory();
        var task = new SequenceClassificationTask(modelSeed: 3, examples: 32, validationExamples: 16, backend: backend);
        var live = new List<long>();
        var progress = new SyncProgress(p =>
        {
            if (p.CompletedEpoch is not null) live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        });

        Trainer.Create(new TrainerOptions { Epochs = 6, CheckpointDirectory = dir.Path, EarlyStoppingPatience = null }).Fit(task, progress);

        Assert.Equal(6, live.Count);
        Assert.True(live.Skip(1).All(n => n == live[1]), $"live tensors after each epoch: {string.Join(", ", live)}");
    }

    [Theory]
    [InlineData(nameof(TrainerOptions.LearningRate), "-1")]
    [InlineData(nameof(TrainerOptions.Epochs), "0")]
    [InlineData(nameof(TrainerOptions.EarlyStoppingPatience), "0")]
    [InlineData(nameof(TrainerOptions.GradientClipNorm), "0")]
    [InlineData(nameof(TrainerOptions.WarmupFraction), "1.5")]
    public void Create_BadOption_ThrowsNamingTheOptionAndValue(string option, string value)
    {
        var options = option switch
        {
            nameof(TrainerOptions.LearningRate) => new TrainerOptions { LearningRate = -1 },
            nameof(TrainerOptions.Epochs) => new TrainerOptions { Epochs = 0 },
            nameof(TrainerOptions.EarlyStoppingPatience) => new TrainerOptions { EarlyStoppingPatience = 0 },
            nameof(TrainerOptions.GradientClipNorm) => new TrainerOptions { GradientClipNorm = 0 },
            _ => new TrainerOptions { WarmupFraction = 1.5 },
        };

        var error = Assert.ThrowsAny<ArgumentException>(() => Trainer.Create(options));

        Assert.Equal(option, error.ParamName);
        Assert.Contains($"got {value}", error.Message);
    }

    [Fact]
    public void Create_DefaultOptions_AreValid()
    {
        var trainer = Trainer.Create();

        Assert.Equal(new TrainerOptions(), trainer.Options);
    }

    private static void AssertSameHistory(IReadOnlyList<EpochMetrics> expected, IReadOnlyList<EpochMetrics> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal(e.Epoch, a.Epoch);
            Assert.Equal(e.TrainLoss, a.TrainLoss);
            Assert.Equal(e.ValidationLoss, a.ValidationLoss);
            Assert.Equal(e.TrainMetrics, a.TrainMetrics);
            Assert.Equal(e.ValidationMetrics, a.ValidationMetrics);
            Assert.Equal(e.LearningRate, a.LearningRate);
            Assert.Equal(e.TrainCount, a.TrainCount);
            Assert.Equal(e.IsBest, a.IsBest);
        }
    }
}
