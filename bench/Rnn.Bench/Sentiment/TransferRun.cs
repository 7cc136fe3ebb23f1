using System.Diagnostics;
using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;
using RnnMl.MLNet.Generation;
using RnnMl.Text;

namespace RnnMl.Bench.Sentiment;

/// <summary>
/// ULMFiT on SST-2: a word-level language model trained with <c>GenerateText</c> on unlabelled English (the SST-2
/// training phrases without their labels, the UCI sentences, Multi30k's English side), saved with SaveRnnModel, then the
/// classifier started from it (<see cref="RecurrentTextClassifierOptions.PretrainedLanguageModel"/>) and scored on dev.
/// The language model is capped (<c>--lm-lines</c> lines, one epoch) so that the run stays short.
/// </summary>
internal static class TransferRun
{
    /// <summary>Hidden and embedding size of the language model, and so of the classifier started from it.</summary>
    public const int Size = 128;

    private sealed class Line
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Dev accuracy, the language model's and the classifier's Fit seconds, and the lines the LM read.</summary>
    public static (double Accuracy, double LmSeconds, double ClassifierSeconds, int LmLines) Run(MLContext ml, List<Sst2.Row> sst2Train,
        List<Sst2.Row> train, List<Sst2.Row> dev, string? uciFolder, int lmLines, int classifierEpochs, int seed)
    {
        var lines = sst2Train.Select(r => r.Text).ToList();
        if (uciFolder is not null)
            lines.AddRange(UciSentiment.Domains.SelectMany(d => UciSentiment.Read(Path.Combine(uciFolder, UciSentiment.FileOf(d)))).Select(r => r.Text));
        var multi30k = SharedData.Find(Path.Combine("datasets", "multi30k"), out _);
        if (multi30k is not null) lines.AddRange(File.ReadLines(Path.Combine(multi30k, "train.en")));
        new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(lines));
        if (lines.Count > lmLines) lines = lines.GetRange(0, lmLines);

        string path = Path.Combine(Path.GetTempPath(), $"rnnml-bench-lm-{Guid.NewGuid():N}.zip");
        try
        {
            var sw = Stopwatch.StartNew();
            var text = ml.Data.LoadFromEnumerable(lines.Select(l => new Line { Text = l }));
            using (var lm = ml.Transforms.Text.GenerateText(new RecurrentTextGeneratorOptions
                   {
                       Tokenizer = TokenizerKind.Word, LowerCase = true, EmbeddingSize = Size, HiddenSize = Size, MaxVocabularySize = 20_000,
                       Epochs = 1, Streams = 64, BpttSteps = 50, LearningRate = 3e-3, Seed = seed,
                   }).Fit(text))
            {
                ml.Model.SaveRnnModel(lm, text.Schema, path);
                var history = lm.TrainingResult!.History;
                Console.WriteLine($"  language model: {lines.Count} lines, {history.Count} epoch(s), validation loss {(history.Count > 0 ? history[^1].ValidationLoss : double.NaN):F3}");
            }
            double lmSeconds = sw.Elapsed.TotalSeconds;
            var options = new RecurrentTextClassifierOptions
            {
                PretrainedLanguageModel = path, Bidirectional = false, EmbeddingSize = Size, HiddenSize = Size, Seed = seed,
                Epochs = classifierEpochs,
            };
            var (accuracy, seconds, model) = LibraryRun.Recurrent(ml, options, train, dev);
            model.Dispose();
            return (accuracy, lmSeconds, seconds, lines.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
