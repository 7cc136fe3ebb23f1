using System.Globalization;
using RnnMl.Export;
using RnnMl.Text;
using RnnMl.Text.Data;
using RnnMl.Text.Export;
using RnnMl.Text.Metrics;
using RnnMl.Text.Tagging;
using RnnMl.Torch.Models;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Samples.Tagging;

/// <summary>Trains a BiLSTM(-CRF) tagger on the Rnn.Torch API, reports token accuracy, span or per-tag scores and the most
/// frequent errors, saves the model as ONNX and tags a few test sentences.</summary>
internal static class TrainCommand
{
    private const int Seed = 1;

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

        var tagNames = train.SelectMany(s => s.Tags).Distinct().Order(StringComparer.Ordinal).ToArray();
        var tagIds = tagNames.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => (long)p.i, StringComparer.Ordinal);
        bool bio = tagNames.All(t => t == "O" || t.StartsWith("B-", StringComparison.Ordinal) || t.StartsWith("I-", StringComparison.Ordinal));
        var words = Vocabulary.Build(train.Select(s => s.Tokens.Select(t => t.ToLowerInvariant())), minCount: 2);
        var characters = TaggerCharacters.BuildVocabulary(train.Select(s => s.Tokens));
        var info = new TaggerModelInfo(Tokenizer.Create(TokenizerKind.Word, lowerCase: false), words, tagNames, o.Characters ? characters : null, lowerCaseWords: true);
        long[] Tags(TaggedSentence s) => s.Tags.Select(t => tagIds.TryGetValue(t, out var id) ? id
            : throw new InvalidDataException($"line {s.Line}: tag '{t}' does not occur in the training data")).ToArray();
        var ill = bio ? train.Count(s => !TagTransitionConstraints.FromTagNames(tagNames, TagScheme.Bio).Allows(Tags(s))) : 0;
        if (ill > 0) output.WriteLine($"note: {ill} training sentence(s) have an ill-formed BIO sequence (I-X not after B-X or I-X); accepted, as conlleval does");

        manual_seed(Seed);
        using var model = SequenceTagger.Create(new SequenceTaggerOptions
        {
            VocabularySize = words.Count, TagCount = tagNames.Length, EmbeddingSize = 64, HiddenSize = 64, Dropout = 0.5,
            UseCrf = o.Crf, Constraints = o.Crf && bio ? TagTransitionConstraints.FromTagNames(tagNames, TagScheme.Bio) : null,
            CharacterVocabularySize = o.Characters ? characters.Count : 0, CharacterEncoder = o.CharacterEncoder,
        });
        // A tenth of the training sentences picks the best epoch; the test set is only used at the end.
        int validCount = Math.Max(1, train.Count / 10);
        var fit = train.Take(train.Count - validCount).ToList();
        var valid = train.Skip(train.Count - validCount).ToList();
        var task = new SequenceTaggerTrainingTask(model, fit.Select(s => info.EncodeWords(s.Tokens)).ToList(), fit.Select(Tags).ToList(),
            valid.Select(s => info.EncodeWords(s.Tokens)).ToList(), valid.Select(Tags).ToList(), batchSize: 16,
            trainCharacters: o.Characters ? fit.Select(s => info.EncodeCharacters(s.Tokens)!).ToList() : null,
            validCharacters: o.Characters ? valid.Select(s => info.EncodeCharacters(s.Tokens)!).ToList() : null);
        output.WriteLine($"model: BiLSTM 64{o.CharacterEncoder switch { CharacterEncoderKind.BiLstm => " + character BiLSTM", CharacterEncoderKind.Cnn => " + character CNN", _ => "" }}{(o.Crf ? " + CRF" + (bio ? " (BIO constraints)" : "") : ", softmax")}; {tagNames.Length} tags");
        var trainer = Trainer.Create(new TrainerOptions { Epochs = o.Epochs, LearningRate = 0.005, EarlyStoppingPatience = 3, SelectionMetric = "accuracy", Seed = Seed });
        var result = trainer.Fit(task, new Progress(p =>
        {
            if (p.CompletedEpoch is { } e)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  epoch {e.Epoch + 1}: train loss {e.TrainLoss:F3}, validation accuracy {e.ValidationMetrics["accuracy"]:P2}, {e.Duration.TotalSeconds:F1} s"));
        }));
        output.WriteLine($"training: {result.History.Count} epoch(s), best {result.BestEpoch + 1}, {result.StopReason}");

        var predicted = model.Tag(test.Select(s => info.EncodeWords(s.Tokens)).ToList(), o.Characters ? test.Select(s => info.EncodeCharacters(s.Tokens)!).ToList() : null)
            .Select(p => p.Select(t => tagNames[t]).ToArray()).ToList();
        Report(test, predicted, bio, output);

        OnnxExporter.Export(model, o.ModelPath, info);
        output.WriteLine($"saved the model to {Path.GetFullPath(o.ModelPath)} (ONNX: graph, vocabularies, tag names and CRF scores in one file)");
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
