using System.Diagnostics;
using Microsoft.ML;
using RnnMl.MLNet.Classification;
using RnnMl.MLNet.Generation;
using RnnMl.MLNet.Pipeline;
using RnnMl.MLNet.Tagging;
using RnnMl.MLNet.Translation;
using RnnMl.Torch.Training;

namespace RnnMl.MLNet.Tests;

/// <summary>What the one fit pipeline does for every task: the shared options (declared once, per-task defaults),
/// MaxTrainingTime, and the validation hold-out.</summary>
public class FitPipelineTests
{
    public static TheoryData<string> Tasks() => new() { "classifier", "translator", "generator" };

    private static RecurrentTrainingOptions OptionsOf(string task)
    {
        RecurrentTrainingOptions options = task switch
        {
            "classifier" => Tiny.Options(),
            "translator" => ToyTranslations.Options(),
            _ => GeneratorFixture.Options(),
        };
        options.Epochs = 100_000;
        options.EarlyStoppingPatience = null;
        return options;
    }

    private static (TrainingResult? Result, IDisposable Model) Fit(MLContext ml, string task, RecurrentTrainingOptions options)
    {
        switch (task)
        {
            case "classifier":
            {
                var data = ml.Data.LoadFromEnumerable(ToyData.Binary(200, seed: 7));
                var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier((RecurrentTextClassifierOptions)options).Fit(data);
                return (model.TrainingResult, model);
            }
            case "translator":
            {
                var data = ml.Data.LoadFromEnumerable(ToyTranslations.Pairs(200, seed: 7));
                var model = ml.Transforms.Text.TranslateText((RecurrentTranslatorOptions)options).Fit(data);
                return (model.TrainingResult, model);
            }
            default:
            {
                var data = ml.Data.LoadFromEnumerable(GeneratorFixture.Sentences(200).Select(s => new GeneratorRow { Text = s }));
                var model = ml.Transforms.Text.GenerateText((RecurrentTextGeneratorOptions)options).Fit(data);
                return (model.TrainingResult, model);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void MaxTrainingTime_StopsEveryTaskLongBeforeItsEpochs_KeepingAWorkingModel(string task)
    {
        var options = OptionsOf(task);
        options.MaxTrainingTime = TimeSpan.FromSeconds(2);
        var clock = Stopwatch.StartNew();
        var (result, model) = Fit(new MLContext(seed: 1), task, options);
        using (model)
        {
            Assert.Equal(TrainingStopReason.TimeLimitReached, result!.StopReason);
            // The budget may run out during a training batch or during validation.
            Assert.Matches(@"^MaxTrainingTime \(00:00:02\) reached (at epoch \d+, batch \d+|during validation of epoch \d+); ", result.Message);
            Assert.InRange(result.History.Count, 0, 99_999);
            // Reading and vocabulary take well under a second on these sets; 100,000 epochs would take hours.
            Assert.InRange(clock.Elapsed.TotalSeconds, 1.9, 60); // the timer may fire a few milliseconds early
        }
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void MaxTrainingTime_AUserCancellationBeforeItRunsOut_IsStillCancelled(string task)
    {
        var options = OptionsOf(task);
        options.MaxTrainingTime = TimeSpan.FromHours(1);
        using var cancellation = new CancellationTokenSource();
        options.CancellationToken = cancellation.Token;
        options.Progress = new SyncProgress<TrainingProgress>(p => { if (p.CompletedEpoch is not null) cancellation.Cancel(); });
        var (result, model) = Fit(new MLContext(seed: 1), task, options);
        using (model)
        {
            Assert.Equal(TrainingStopReason.Cancelled, result!.StopReason);
            Assert.StartsWith("cancelled ", result.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void MaxTrainingTime_NotPositive_IsRefusedByEveryTaskNamingIt(string task)
    {
        var options = OptionsOf(task);
        options.MaxTrainingTime = TimeSpan.FromSeconds(-7);
        var ml = new MLContext(seed: 1);
        var e = Assert.ThrowsAny<ArgumentException>(() => Fit(ml, task, options));
        Assert.Equal("MaxTrainingTime", e.ParamName);
        Assert.Contains("-00:00:07", e.Message);
    }

    [Fact]
    public void SharedOptions_CarryEachTasksStatedDefaults()
    {
        var c = new RecurrentTextClassifierOptions();
        var t = new RecurrentTranslatorOptions();
        var g = new RecurrentTextGeneratorOptions();
        Assert.Equal((6, 3e-3, 64, 256, 0.0, 128, 0.3, true, 128), (c.Epochs, c.LearningRate, c.BatchSize, c.PredictionBatchSize, c.ValidationFraction, c.HiddenSize, c.Dropout, c.LowerCase, c.EmbeddingSize));
        Assert.Equal((100, 2e-3, 64, 128, 0.05, 256, 0.3, true, 256), (t.Epochs, t.LearningRate, t.BatchSize, t.PredictionBatchSize, t.ValidationFraction, t.HiddenSize, t.Dropout, t.LowerCase, t.EmbeddingSize));
        Assert.Equal((10, 3e-3, 32, 32, 0.05, 256, 0.0, false, 64), (g.Epochs, g.LearningRate, g.Streams, g.PredictionBatchSize, g.ValidationFraction, g.HiddenSize, g.Dropout, g.LowerCase, g.EmbeddingSize));
        Assert.Equal(RnnMl.Torch.Layers.RecurrentCellKind.Gru, t.Cell);
        Assert.True(t.TieEmbeddings);
        Assert.Equal((0.5, 0.5), (t.BeamRelativeThreshold, t.DecodingOptions().RelativeThreshold));
        var badThreshold = Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentTranslatorOptions { BeamRelativeThreshold = 1.5 }.Validate());
        Assert.Equal((nameof(RecurrentTranslatorOptions.BeamRelativeThreshold), true), (badThreshold.ParamName, badThreshold.Message.Contains("1.5")));
        Assert.Equal(RnnMl.Torch.Layers.RecurrentCellKind.Lstm, c.Cell);
        Assert.Equal((RnnMl.Torch.Training.OptimizerKind.AdamW, 0.01, RnnMl.Torch.Training.LearningRateSchedule.WarmupLinearDecay, 0.1, 2, 0.0),
            (c.Optimizer, c.WeightDecay, c.Schedule, c.WarmupFraction, c.MinTokenCount, c.LabelSmoothing));
        Assert.Equal((1, 1), (t.MinTokenCount, g.MinTokenCount));
        Assert.Equal((RnnMl.Torch.Training.OptimizerKind.Adam, 0.0, RnnMl.Torch.Training.LearningRateSchedule.ReduceOnPlateau),
            (t.Optimizer, t.WeightDecay, t.Schedule));
        var s = new RecurrentSequenceTaggerOptions();
        Assert.Equal((40, 5e-3, 16, 128, 0.1, 128, 0.5, true, 100, 2, 5), (s.Epochs, s.LearningRate, s.BatchSize, s.PredictionBatchSize, s.ValidationFraction,
            s.HiddenSize, s.Dropout, s.LowerCase, s.EmbeddingSize, s.MinTokenCount, s.EarlyStoppingPatience));
        Assert.Equal((RnnMl.Torch.Models.CharacterEncoderKind.BiLstm, 25, 50, 0.0, 0.0, 0, true), (s.CharacterEncoder, s.CharacterEmbeddingSize,
            s.CharacterHiddenSize, s.FrequencyWordDropout, s.WordDropout, s.CasingEmbeddingSize, s.UseCrf));
        Assert.Equal(RnnMl.Torch.Training.LearningRateSchedule.ReduceOnPlateau, s.Schedule);
    }

    [Fact]
    public void ClassifierMinimumSteps_FollowsWhetherTheUserSetEpochs_NotTheTaskDefault()
    {
        Assert.Equal(250, new RecurrentTextClassifierOptions().MinimumSteps);
        Assert.Null(new RecurrentTextClassifierOptions { Epochs = 7 }.MinimumSteps);
        Assert.Equal(7, new RecurrentTextClassifierOptions { Epochs = 7, MinimumSteps = 7 }.MinimumSteps);
    }

    [Fact]
    public void GeneratorStreams_IsTheSharedBatchSize()
    {
        var g = new RecurrentTextGeneratorOptions { Streams = 7 };
        Assert.Equal(7, g.BatchSize);
        g.BatchSize = 11;
        Assert.Equal(11, g.Streams);
    }

    [Fact]
    public void Estimators_KeepTheirOwnCopyOfTheOptions()
    {
        var ml = new MLContext(seed: 1);
        var options = Tiny.Options();
        var trainer = ml.BinaryClassification.Trainers.RecurrentTextClassifier(options);
        options.HiddenSize = 7;
        Assert.Equal(8, trainer.Options.HiddenSize);
        trainer.Options.HiddenSize = 7;
        Assert.Equal(8, trainer.Options.HiddenSize);
    }

    [Theory]
    [InlineData(10, 0.1, 1)]
    [InlineData(10, 0.25, 2)]   // round(2.5) = 2 (to even)
    [InlineData(10, 0.0, 0)]
    [InlineData(1, 0.5, 0)]     // one row stays for training
    [InlineData(3, 0.9, 2)]     // at most n − 1
    [InlineData(1000, 0.0001, 1)] // at least 1
    public void HoldOut_TakesRoundedFractionBetweenOneAndNMinusOne(int n, double fraction, int expected)
    {
        var rows = Enumerable.Range(0, n).ToList();
        foreach (bool last in new[] { false, true })
        {
            var (train, valid) = HoldOut.Split(rows, fraction, seed: 7, lastRows: last);
            Assert.Equal(expected, valid.Count);
            Assert.Equal(rows, train.Concat(valid).Order());
            Assert.Equal(train.Order(), train);
            Assert.Equal(valid.Order(), valid);
        }
    }

    [Fact]
    public void HoldOut_LastRowsTakesTheTail_RandomDependsOnlyOnTheSeed()
    {
        var rows = Enumerable.Range(0, 70).ToList();
        Assert.Equal(Enumerable.Range(63, 7), HoldOut.Split(rows, 0.1, seed: 7, lastRows: true).Valid);
        var a = HoldOut.Split(rows, 0.1, seed: 7, lastRows: false).Valid;
        Assert.Equal(a, HoldOut.Split(rows, 0.1, seed: 7, lastRows: false).Valid);
        Assert.NotEqual(a, HoldOut.Split(rows, 0.1, seed: 8, lastRows: false).Valid);
        Assert.NotEqual(Enumerable.Range(63, 7), a);
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
