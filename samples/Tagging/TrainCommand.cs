using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet;
using RnnMl.MLNet.Tagging;
using RnnMl.Text.Data;
using RnnMl.Text.Metrics;
using RnnMl.Text.Tagging;
using RnnMl.Torch.Models;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Samples.Tagging;

/// <summary>Trains a BiLSTM(-CRF) tagger with the ML.NET trainer (<c>RecurrentSequenceTagger</c>), reports token accuracy,
/// span or per-tag scores and the most frequent errors, saves the model with <c>SaveRnnModel</c> (export it to ONNX with
/// the <c>export --onnx</c> command) and tags a few test sentences.</summary>
internal static class TrainCommand
{
    private const int Seed = 1;

    /// <summary>One sentence as ML.NET reads it.</summary>
    private sealed class Row
    {
        [VectorType] public string[] Tokens { get; set; } = Array.Empty<string>();
        [VectorType] public string[] Tags { get; set; } = Array.Empty<string>();
    }

    public static int Run(SampleOptions o, TextWriter output)
    {
        set_num_threads(o.Threads);
        IReadOnlyList<TaggedSentence> train, test;
        if (o.TrainPath is null)
        {
            train = GeneratedEntities.Generate(1500, seed: 1);
            test = GeneratedEntities.Generate(300, seed: 2);
            output.WriteLine($"built-in data: {train.Count} training and {test.Count} test sentences with PER, LOC and ORG names (BIO)");
        }
        else
        {
            train = o.Read(o.TrainPath).Where(s => s.Tokens.Count > 0).ToList();
            test = o.Read(o.TestPath!);
            output.WriteLine($"{o.TrainPath}: {train.Count} training sentences; {o.TestPath}: {test.Count} test sentences");
        }

        var tagNames = train.SelectMany(s => s.Tags).ToHashSet(StringComparer.Ordinal);
        foreach (var s in test)
            if (s.Tags.FirstOrDefault(t => !tagNames.Contains(t)) is { } unseen)
                throw new InvalidDataException($"line {s.Line}: tag '{unseen}' does not occur in the training data");
        bool bio = tagNames.All(t => t == "O" || t.StartsWith("B-", StringComparison.Ordinal) || t.StartsWith("I-", StringComparison.Ordinal));

        var ml = new MLContext(seed: Seed);
        var data = ml.Data.LoadFromEnumerable(train.Select(s => new Row { Tokens = s.Tokens.ToArray(), Tags = s.Tags.ToArray() }));
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", "Tags").Fit(data);
        // A tenth of the training sentences (ValidationFraction) picks the best epoch; the test set is only used at the end.
        var options = new RecurrentSequenceTaggerOptions
        {
            EmbeddingSize = o.Embedding, HiddenSize = 64, UseCrf = o.Crf, CharacterEncoder = o.CharacterEncoder, Epochs = o.Epochs,
            EarlyStoppingPatience = 3, Seed = Seed, CasingEmbeddingSize = o.Casing,
            PretrainedVectorsPath = o.VectorsPath, FreezePretrainedVectors = o.FreezeVectors,
            Progress = new Progress(p =>
            {
                if (p.CompletedEpoch is { } e)
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  epoch {e.Epoch + 1}: train loss {e.TrainLoss:F3}, validation accuracy {e.ValidationMetrics["accuracy"]:P2}, {e.Duration.TotalSeconds:F1} s"));
            }),
        };
        output.WriteLine($"model: BiLSTM 64{o.CharacterEncoder switch { CharacterEncoderKind.BiLstm => " + character BiLSTM", CharacterEncoderKind.Cnn => " + character CNN", _ => "" }}{(o.Casing > 0 ? " + casing" : "")}{(o.VectorsPath is null ? "" : $" + pretrained vectors{(o.FreezeVectors ? " (frozen)" : "")}")}{(o.Crf ? " + CRF" + (bio ? " (BIO constraints)" : "") : ", softmax")}; {tagNames.Count} tags");
        using var model = ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(options).Fit(keys.Transform(data));
        var result = model.TrainingResult!;
        output.WriteLine($"training: {result.History.Count} epoch(s), best {result.BestEpoch + 1}, {result.StopReason}");

        var predicted = model.Tag(test.Select(s => s.Tokens).ToList()).ToList();
        Report(test, predicted, bio, output);

        ml.Model.SaveRnnModel(model, data.Schema, o.ModelPath);
        output.WriteLine($"saved the model to {Path.GetFullPath(o.ModelPath)} (ML.NET model with the TorchSharp weights, vocabularies and tag names)");
        output.WriteLine($"export it:   dotnet run --project samples/Tagging -- export --model {o.ModelPath} --onnx tagging-model.onnx");
        output.WriteLine($"tag with it: dotnet run --project samples/Tagging -- tag --model {o.ModelPath} \"Jordan flew to Georgia with Maria .\"");
        return 0;
    }

    /// <summary>Token accuracy, per-type (BIO spans, as conlleval) or per-tag scores, the most frequent errors and three examples.</summary>
    public static void Report(IReadOnlyList<TaggedSentence> test, IReadOnlyList<string[]> predicted, bool bio, TextWriter output)
    {
        var gold = test.Select(s => s.Tags).ToList();
        var evaluation = ConllSpanEvaluator.Evaluate(gold, predicted, TagScheme.Bio);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test: token accuracy {evaluation.TokenAccuracy:P2} over {evaluation.Tokens} tokens"));
        if (bio)
        {
            output.WriteLine("  type      precision  recall     F1   (spans, as conlleval; IOB2)");
            foreach (var (type, s) in evaluation.PerType.Append(new KeyValuePair<string, SpanScores>("micro", evaluation.Micro)))
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {type,-8} {s.Precision,10:P1} {s.Recall,8:P1} {s.F1,7:P1}"));
        }
        else
        {
            output.WriteLine("  tag       precision  recall     F1   (tokens)");
            var pairs = gold.Zip(predicted).SelectMany(p => p.First.Zip(p.Second)).ToList();
            foreach (var tag in pairs.Select(p => p.First).Distinct().Order(StringComparer.Ordinal))
            {
                var s = new SpanScores(pairs.Count(p => p.First == tag), pairs.Count(p => p.Second == tag), pairs.Count(p => p.First == tag && p.Second == tag));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {tag,-8} {s.Precision,10:P1} {s.Recall,8:P1} {s.F1,7:P1}"));
            }
        }
        var errors = gold.Zip(predicted).SelectMany(p => p.First.Zip(p.Second)).Where(p => p.First != p.Second)
            .GroupBy(p => $"{p.First} → {p.Second}").OrderByDescending(g => g.Count()).Take(5).ToList();
        output.WriteLine(errors.Count == 0 ? "most frequent errors: none" : "most frequent errors (gold → predicted): " + string.Join(", ", errors.Select(g => $"{g.Key} ×{g.Count()}")));
        foreach (int i in Enumerable.Range(0, Math.Min(3, test.Count)))
            output.WriteLine("  " + string.Join(" ", test[i].Tokens.Zip(predicted[i]).Select(p => p.Second == "O" ? p.First : $"{p.First}/{p.Second}")));
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
