using RnnMl.Torch.Training;

namespace RnnMl.Torch.Tests.Training;

/// <summary>TrainerOptions.MaxTrainingTime: the trainer's own time budget, told apart from a user's cancellation.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public sealed class TrainerTimeLimitTests
{
    [Fact]
    public void Fit_BudgetRunsOut_StopsWithTimeLimitReachedAndSaysWhere()
    {
        var task = new RegressionTask(batchSize: 2, validationSlope: 2.0);
        // The first epoch's report outlasts the budget, so the budget has certainly run out before epoch 10.
        var progress = new SyncProgress(p =>
        {
            if (p.CompletedEpoch?.Epoch == 0) Thread.Sleep(400);
        });
        var options = new TrainerOptions { Epochs = 10, LearningRate = 0.05, MaxTrainingTime = TimeSpan.FromMilliseconds(150) };

        var result = Trainer.Create(options).Fit(task, progress);

        Assert.Equal(TrainingStopReason.TimeLimitReached, result.StopReason);
        Assert.InRange(result.History.Count, 1, 9);
        Assert.StartsWith("MaxTrainingTime (00:00:00.1500000) reached at epoch ", result.Message);
        Assert.Contains("restored the weights of epoch", result.Message);
    }

    [Fact]
    public void Fit_UserCancelsBeforeTheBudgetRunsOut_IsStillCancelled()
    {
        var task = new RegressionTask(batchSize: 2, validationSlope: 2.0);
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.CompletedEpoch?.Epoch == 1) cts.Cancel();
        });
        var options = new TrainerOptions { Epochs = 10, LearningRate = 0.05, MaxTrainingTime = TimeSpan.FromHours(1) };

        var result = Trainer.Create(options).Fit(task, progress, cts.Token);

        Assert.Equal(TrainingStopReason.Cancelled, result.StopReason);
        Assert.Equal(2, result.History.Count);
        Assert.StartsWith("cancelled at epoch 3", result.Message);
    }

    [Fact]
    public void Fit_BudgetLongerThanTraining_Completes()
    {
        var task = new RegressionTask(batchSize: 2, validationSlope: 2.0);
        var options = new TrainerOptions { Epochs = 3, LearningRate = 0.05, MaxTrainingTime = TimeSpan.FromHours(1) };

        var result = Trainer.Create(options).Fit(task);

        Assert.Equal(TrainingStopReason.Completed, result.StopReason);
        Assert.Equal(3, result.History.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-7)]
    public void Validate_BudgetNotPositive_ThrowsNamingIt(int seconds)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { MaxTrainingTime = TimeSpan.FromSeconds(seconds) }.Validate());
        Assert.Equal("MaxTrainingTime", e.ParamName);
        Assert.Contains("must be positive", e.Message);
    }
}
