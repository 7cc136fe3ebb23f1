using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using RnnMl.MLNet.Classification;
using RnnMl.Text;
using RnnMl.Torch.Models;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Bench.Sentiment;

/// <summary>
/// <c>sentiment --overhead N</c>: where the library's training time goes beyond the model, on the first N phrases, one
/// epoch each, interleaved so that every variant sees the same load: the raw loop's epoch (<see cref="RawBiLstmLoop"/>'s
/// body), the library's <see cref="Trainer"/> with <see cref="SequenceClassifierTrainingTask"/> and the same recipe
/// (no validation), and the Trainer without gradient clipping. Same model, same rows, same seed.
/// </summary>
internal static class OverheadRun
{
    public static void Run(List<Sst2.Row> rows, int seed, int rounds = 3)
    {
        var (_, _, ids, labels, shape) = RawBiLstmLoop.Encode(rows);
        for (int round = 0; round < rounds; round++)
        {
            double raw = Time(() =>
            {
                manual_seed(seed);
                using var model = SequenceClassifier.Create(shape);
                using var optimizer = optim.Adam(model.parameters(), RawBiLstmLoop.LearningRate);
                model.train();
                foreach (var batch in LengthBucketing.Batches(ids.Select(s => s.Length).ToList(), RawBiLstmLoop.BatchSize, new Random(seed)))
                {
                    using var scope = NewDisposeScope();
                    optimizer.zero_grad();
                    var (x, lengths) = TokenBatch.Pad(batch.Select(r => ids[r]).ToList());
                    var y = tensor(batch.Select(r => labels[r]).ToArray());
                    nn.functional.cross_entropy(model.forward(x, lengths), y).backward();
                    nn.utils.clip_grad_norm_(model.parameters(), 5.0);
                    optimizer.step();
                }
            });
            double Trainer(double? clip) => Time(() =>
            {
                manual_seed(seed);
                using var model = SequenceClassifier.Create(shape);
                var task = new SequenceClassifierTrainingTask(model, ids, labels, [], [], RawBiLstmLoop.BatchSize);
                RnnMl.Torch.Training.Trainer.Create(new TrainerOptions { Epochs = 1, LearningRate = RawBiLstmLoop.LearningRate, GradientClipNorm = clip, Seed = seed }).Fit(task);
            });
            double trainer = Trainer(5.0), noClip = Trainer(null);
            // The whole ML.NET Fit with the raw loop's recipe (no hold-out, one epoch): reading, vocabulary, Trainer, binding.
            double fit = Time(() =>
            {
                var options = new RecurrentTextClassifierOptions { Seed = seed, Epochs = 1 };
                Array.Find(SentimentSweep.Configs, c => c.Name == "raw")!.Apply(options);
                (options.Epochs, options.EnsembleSize) = (1, 1);   // one model's epoch against the raw loop's
                LibraryRun.Recurrent(new MLContext(seed: seed), options, rows, rows.Take(200).ToList()).Model.Dispose();
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"overhead round {round + 1}: rows={rows.Count} raw_epoch_s={raw:F2} trainer_epoch_s={trainer:F2} trainer_noclip_s={noClip:F2} mlnet_fit_s={fit:F2} trainer_vs_raw={raw / trainer:F3} fit_vs_raw={raw / fit:F3}"));
        }
    }

    private static double Time(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalSeconds;
    }
}
