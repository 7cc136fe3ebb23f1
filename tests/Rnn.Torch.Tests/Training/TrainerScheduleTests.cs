using RnnMl.Torch.Training;

namespace RnnMl.Torch.Tests.Training;

/// <summary>The warm-up + cosine and reduce-on-plateau schedules: the formula per step, and what Fit applies.</summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class TrainerScheduleTests
{
    [Fact]
    public void LearningRateAt_WarmupCosine_FollowsTheFormulaAtEveryStep()
    {
        // T = 10 epochs · 10 steps = 100, W = ⌊0.1 · 100⌋ = 10.
        var options = new TrainerOptions { Epochs = 10, LearningRate = 2.0, Schedule = LearningRateSchedule.WarmupCosine, WarmupFraction = 0.1 };

        var rates = Enumerable.Range(0, 100).Select(s => Trainer.LearningRateAt(options, s / 10, s, 10)).ToArray();

        for (int s = 0; s < 100; s++)
        {
            double expected = s < 10 ? 2.0 * (s + 1) / 10 : 2.0 * 0.5 * (1 + Math.Cos(Math.PI * (s - 10) / 90));
            Assert.Equal(expected, rates[s], 12);
        }
        // Hand-computed points: the first warm-up step, the peak, half-way through the decay.
        Assert.Equal(0.2, rates[0], 12);
        Assert.Equal(2.0, rates[9], 12);
        Assert.Equal(2.0, rates[10], 12);
        Assert.Equal(1.0, rates[55], 12);
        Assert.True(rates.Skip(10).Zip(rates.Skip(11)).All(p => p.Second < p.First), "after warm-up the rate must fall");
    }

    [Fact]
    public void Fit_WarmupCosine_UsesTheScheduledRateAtEachStep()
    {
        // 8 examples in batches of 2: 4 steps per epoch, T = 16, W = ⌊0.25 · 16⌋ = 4.
        var options = new TrainerOptions
        {
            Epochs = 4, LearningRate = 0.05, Optimizer = OptimizerKind.Sgd, Momentum = 0,
            Schedule = LearningRateSchedule.WarmupCosine, WarmupFraction = 0.25, GradientClipNorm = null,
        };
        var task = new RegressionTask(batchSize: 2);

        var result = Trainer.Create(options).Fit(task);

        for (int e = 0; e < 4; e++)
            Assert.Equal(Trainer.LearningRateAt(options, e, 4 * e + 3, 4), result.History[e].LearningRate, 15);
        Assert.Equal(0.05, result.History[0].LearningRate, 15);
        Assert.Equal(0.05 * 0.5 * (1 + Math.Cos(Math.PI * 11 / 12)), result.History[3].LearningRate, 15);
    }

    [Fact]
    public void Fit_WarmupCosine_MovesTheWeightByTheSumOfTheRates()
    {
        // Plain SGD, one batch per epoch, x = ±1, y = 2x, w starting at 0: w ← w − lr · 2(w − 2), so each step's size
        // tells which rate was used. Replaying the formula's rates by hand must give the same weight.
        var options = new TrainerOptions
        {
            Epochs = 5, LearningRate = 0.1, Optimizer = OptimizerKind.Sgd, Momentum = 0,
            Schedule = LearningRateSchedule.WarmupCosine, WarmupFraction = 0.4, GradientClipNorm = null,
        };
        var task = new RegressionTask();

        Trainer.Create(options).Fit(task);

        double w = 0;
        for (int s = 0; s < 5; s++)
        {
            double lr = s < 2 ? 0.1 * (s + 1) / 2 : 0.1 * 0.5 * (1 + Math.Cos(Math.PI * (s - 2) / 3));
            w -= lr * 2 * (w - 2);
        }
        Assert.Equal(w, task.Weight(), 5);
    }

    [Fact]
    public void PlateauCuts_CountsRunsOfEpochsWithoutImprovement()
    {
        static EpochMetrics E(int epoch, bool best, bool validated = true) => new(epoch, 1.0, validated ? 1.0 : null,
            new Dictionary<string, double>(), new Dictionary<string, double>(), 0.1, TimeSpan.Zero, 1, best);
        var history = new[] { E(0, true), E(1, false), E(2, false), E(3, true), E(4, false), E(5, false, validated: false), E(6, false) };

        Assert.Equal(4, Trainer.PlateauCuts(history, 1)); // epochs 2, 3, 5 and 7 (6 is not validated)
        Assert.Equal(2, Trainer.PlateauCuts(history, 2));
        Assert.Equal(0, Trainer.PlateauCuts(history, 3));
        Assert.Equal(0, Trainer.PlateauCuts(history.Take(2).Where(h => h.IsBest), 1));
    }

    [Fact]
    public void Fit_ReduceOnPlateau_HalvesTheRateAfterEachEpochWithoutImprovement()
    {
        // Training pulls w towards 2 while the validation targets have slope −2: validation never improves after epoch 1.
        var options = new TrainerOptions { Epochs = 4, LearningRate = 0.01, Schedule = LearningRateSchedule.ReduceOnPlateau, EarlyStoppingPatience = null };

        var result = Trainer.Create(options).Fit(new RegressionTask(validationSlope: -2));

        Assert.Equal(new[] { true, false, false, false }, result.History.Select(h => h.IsBest));
        Assert.Equal(new[] { 0.01, 0.01, 0.005, 0.0025 }, result.History.Select(h => h.LearningRate));
    }

    [Fact]
    public void Fit_ReduceOnPlateau_WithPatienceTwo_CutsAfterTwoBadEpochs()
    {
        var options = new TrainerOptions
        {
            Epochs = 6, LearningRate = 0.01, Schedule = LearningRateSchedule.ReduceOnPlateau, PlateauPatience = 2, PlateauFactor = 0.1,
            EarlyStoppingPatience = null,
        };

        var result = Trainer.Create(options).Fit(new RegressionTask(validationSlope: -2));

        var expected = new[] { 0.01, 0.01, 0.01, 0.001, 0.001, 0.0001 };
        Assert.Equal(expected.Length, result.History.Count);
        for (int e = 0; e < expected.Length; e++)
            Assert.Equal(expected[e], result.History[e].LearningRate, 15);
    }

    [Fact]
    public void Fit_ReduceOnPlateau_WhileValidationImproves_KeepsTheRate()
    {
        var options = new TrainerOptions { Epochs = 4, LearningRate = 0.01, Schedule = LearningRateSchedule.ReduceOnPlateau, EarlyStoppingPatience = null };

        var result = Trainer.Create(options).Fit(new RegressionTask(validationSlope: 2));

        Assert.All(result.History, h => Assert.True(h.IsBest));
        Assert.All(result.History, h => Assert.Equal(0.01, h.LearningRate));
    }

    [Theory]
    [InlineData(nameof(TrainerOptions.PlateauPatience))]
    [InlineData(nameof(TrainerOptions.PlateauFactor))]
    public void Validate_PlateauOptionOutOfRange_ThrowsNamingIt(string name)
    {
        var options = name == nameof(TrainerOptions.PlateauPatience) ? new TrainerOptions { PlateauPatience = 0 } : new TrainerOptions { PlateauFactor = 1.0 };

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate());

        Assert.Equal(name, e.ParamName);
    }
}
