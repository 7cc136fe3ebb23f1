using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Training;

/// <summary>
/// The translator's training path through <see cref="Trainer"/> must not keep anything from one epoch to the next: the
/// number of live tensors (TorchSharp's exact per-thread count) after every epoch equals the count after the first one
/// (by then the optimizer's moments and the best-weights snapshot exist), for the fused decoder and for the step-by-step
/// decoder loop (Bahdanau attention, input feeding, scheduled sampling), with label smoothing and a warm-up schedule.
/// </summary>
[Collection(nameof(RnnMl.Torch.Tests.Layers.MemoryCollection))]
public sealed class Seq2SeqTrainingMemoryTests
{
    [Theory]
    [InlineData(AttentionKind.LuongGeneral, false, 1.0)]
    [InlineData(AttentionKind.Bahdanau, true, 0.7)]
    public void Fit_LiveTensorsAfterEachEpoch_StayAtTheFirstEpochsCount(AttentionKind attention, bool inputFeeding, double teacherForcing)
    {
        int threads = get_num_threads();
        set_num_threads(1);
        try
        {
            var random = new Random(7);
            List<long[]> Make(int count) => Enumerable.Range(0, count)
                .Select(_ => Enumerable.Range(0, random.Next(1, 8)).Select(_ => (long)random.Next(4, 17)).ToArray()).ToList();
            var trainSources = Make(140);
            var trainTargets = Make(140);
            var validSources = Make(30);
            var validTargets = Make(30);
            manual_seed(7);
            using var model = Seq2SeqModel.Create(new Seq2SeqOptions
            {
                SourceVocabularySize = 17, TargetVocabularySize = 17, EmbeddingSize = 7, HiddenSize = 7,
                Attention = attention, InputFeeding = inputFeeding, TeacherForcingRatio = teacherForcing, Dropout = 0.1,
            });
            var task = new Seq2SeqTrainingTask(model, trainSources, trainTargets, validSources, validTargets, batchSize: 16,
                validationBatchSize: 7, labelSmoothing: 0.1);
            var live = new List<long>();
            var progress = new SynchronousProgress(p =>
            {
                if (p.CompletedEpoch is not null) live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            });
            var result = Trainer.Create(new TrainerOptions
            {
                Epochs = 5, LearningRate = 0.01, Schedule = LearningRateSchedule.WarmupCosine, EarlyStoppingPatience = null, Seed = 1,
            }).Fit(task, progress);

            Assert.Equal(TrainingStopReason.Completed, result.StopReason);
            Assert.Equal(5, live.Count);
            for (int e = 1; e < live.Count; e++)
                Assert.True(live[e] <= live[0], $"live tensors after epoch {e + 1}: {live[e]}, after epoch 1: {live[0]} (all: {string.Join(", ", live)})");
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
