using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;

namespace RnnMl.Bench.Sentiment;

/// <summary>
/// A probe, not a library feature: what averaging the predicted probabilities of K classifiers trained with the
/// library's defaults and consecutive seeds gives on SST-2 dev, against each member alone, and what it costs in training
/// time (K Fits). It tells whether an ensemble option could close the gap between the defaults' single-model accuracy
/// and issue 11's target within its 5-minute budget.
/// </summary>
internal static class EnsembleProbe
{
    private sealed class Scored
    {
        public bool Label { get; set; }
        public float Probability { get; set; }
    }

    // The library's defaults with the seed, and --epochs when given (members trained shorter to fit the budget).
    private static RecurrentTextClassifierOptions Options(int seed, int? epochs)
    {
        // One model per Fit: the probe averages them itself (EnsembleSize would train three per Fit).
        var o = new RecurrentTextClassifierOptions { Seed = seed, EnsembleSize = 1 };
        if (epochs is { } e) o.Epochs = e;
        return o;
    }

    // The share of rows whose mean probability over the members (summed in double) is on the side of their label.
    private static double Accuracy(IReadOnlyList<float[]> members, bool[] labels)
        => labels.Where((y, i) => (members.Sum(m => (double)m[i]) / members.Count > 0.5) == y).Count() / (double)labels.Length;

    /// <summary>Trains one ensemble per run of <paramref name="size"/> consecutive seeds of <paramref name="seeds"/>
    /// and prints a line per ensemble and one with the means.</summary>
    public static int Run(List<Sst2.Row> train, List<Sst2.Row> dev, IReadOnlyList<int> seeds, int size, int? epochs = null)
    {
        if (seeds.Count % size != 0)
            throw new UsageException($"--ensemble {size} needs a multiple of {size} seeds (--seeds), got {seeds.Count}");
        var members = new List<double>();
        var ensembles = new List<double>();
        var pairs = new List<double>();
        for (int g = 0; g < seeds.Count; g += size)
        {
            var group = seeds.Skip(g).Take(size).ToList();
            var probabilities = new List<float[]>();
            bool[]? labels = null;
            var accuracies = new List<double>();
            double seconds = 0;
            foreach (int seed in group)
            {
                var ml = new MLContext(seed: seed);
                var sw = Stopwatch.StartNew();
                using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(Options(seed, epochs))
                    .Fit(ml.Data.LoadFromEnumerable(train));
                seconds += sw.Elapsed.TotalSeconds;
                var scored = ml.Data.CreateEnumerable<Scored>(model.Transform(ml.Data.LoadFromEnumerable(dev)), reuseRowObject: false).ToList();
                labels ??= scored.Select(r => r.Label).ToArray();
                probabilities.Add(scored.Select(r => r.Probability).ToArray());
                double accuracy = Accuracy([probabilities[^1]], labels);
                accuracies.Add(accuracy);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  member seed {seed}: sst2_acc={accuracy:F4} train_s={sw.Elapsed.TotalSeconds:F0}"));
            }
            double ensemble = Accuracy(probabilities, labels!);
            // Every pair of the group as an ensemble of two (the cost of two Fits).
            for (int a = 0; a < group.Count; a++)
                for (int b = a + 1; b < group.Count; b++)
                {
                    double pair = Accuracy([probabilities[a], probabilities[b]], labels!);
                    pairs.Add(pair);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  pair seeds {group[a]},{group[b]}: ensemble_acc={pair:F4}"));
                }
            members.AddRange(accuracies);
            ensembles.Add(ensemble);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ensemble seeds={string.Join(",", group)}: members {string.Join(" ", accuracies.Select(a => a.ToString("F4", CultureInfo.InvariantCulture)))} (mean {accuracies.Average():F4}) ensemble_acc={ensemble:F4} train_s={seconds:F0}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ensemble of {size}{(epochs is null ? "" : $" at {epochs} epochs")}, {ensembles.Count} ensemble(s): mean member sst2_acc={members.Average():F4} mean ensemble_acc={ensembles.Average():F4} mean pair_acc={(pairs.Count > 0 ? pairs.Average() : double.NaN):F4}"));
        return 0;
    }
}
