using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using RnnMl.Export;
using RnnMl.Onnx;
using RnnMl.Text;
using RnnMl.Text.Export;
using RnnMl.Torch.Models;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Bench.Tagging;

/// <summary>Trains one variant through <see cref="SequenceTaggerTrainingTask"/> and the shared <see cref="Trainer"/>, then measures tagging speed.</summary>
internal static class TaggerRun
{
    public static TaggerResult Train(TaggerVariant variant, TaggerSettings s, TaggingCorpus corpus, TaggingCorpus.Encoded train, TaggingCorpus.Encoded dev, TaggingCorpus.Encoded valid, int seed)
    {
        bool casing = s.Casing > 0;
        manual_seed(seed);
        var model = SequenceTagger.Create(new SequenceTaggerOptions
        {
            VocabularySize = corpus.Words.Count,
            TagCount = corpus.Tags.Count,
            EmbeddingSize = s.Embedding,
            HiddenSize = s.Hidden,
            NumLayers = s.Layers,
            Dropout = s.Dropout,
            WordDropout = s.WordDropout,
            FrequencyWordDropout = s.FrequencyWordDropout,
            CharacterEncoder = s.CharEncoder,
            UseCrf = variant.Crf,
            CharacterVocabularySize = variant.Characters ? corpus.Characters.Count : 0,
            CharacterEmbeddingSize = s.CharEmbedding,
            CharacterHiddenSize = s.CharHidden,
            CasingEmbeddingSize = s.Casing,
        });
        if (s.Vectors is { } vectors) model.InitializeEmbedding(vectors.Rows, s.FreezeVectors);
        using var task = new SequenceTaggerTrainingTask(model, train.Tokens, train.Tags, valid.Tokens, valid.Tags, s.BatchSize,
            trainCharacters: variant.Characters ? train.Characters : null, validCharacters: variant.Characters ? valid.Characters : null,
            trainCasing: casing ? train.Casing : null, validCasing: casing ? valid.Casing : null);
        var trainer = Trainer.Create(new TrainerOptions
        {
            Epochs = s.Epochs,
            LearningRate = s.LearningRate,
            GradientClipNorm = 5,
            Schedule = s.Schedule,
            WarmupFraction = s.Warmup,
            PlateauPatience = 1,
            PlateauFactor = 0.5,
            EarlyStoppingPatience = s.Patience,
            SelectionMetric = "accuracy",
            RestoreBestWeights = true,
            Seed = seed,
        });
        var progress = new TrainedItems(e =>
        {
            // Report only (tagging in eval mode draws nothing from torch's generator, so training is unchanged); the
            // tagging time is inside train_s.
            string devNow = s.DevEachEpoch && s.Holdout > 0 ? string.Create(CultureInfo.InvariantCulture, $", dev acc {DevAccuracy(model, variant, dev, casing):P2}") : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {variant.Name} epoch {e.Epoch + 1}: train loss {e.TrainLoss:F3} acc {e.TrainMetrics["accuracy"]:P2}, {s.Validation} loss {e.ValidationLoss:F3} acc {e.ValidationMetrics["accuracy"]:P2}{(e.IsBest ? " *" : "")}{devNow}, {e.Duration.TotalSeconds:F0} s"));
        });
        using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(s.Minutes));
        var clock = Stopwatch.StartNew();
        var result = trainer.Fit(task, progress, budget.Token);
        double seconds = clock.Elapsed.TotalSeconds;
        long trained = progress.Count;
        Console.WriteLine($"  {variant.Name}: {result.History.Count} epoch(s), best {result.BestEpoch + 1}, stop: {result.StopReason}, {seconds:F0} s");

        var predicted = model.Tag(dev.Tokens, variant.Characters ? dev.Characters : null, casing: casing ? dev.Casing : null);
        long right = 0;
        for (int i = 0; i < dev.Tags.Count; i++)
            for (int t = 0; t < dev.Tags[i].Length; t++)
                if (predicted[i][t] == dev.Tags[i][t]) right++;
        double accuracy = right / (double)dev.TokenCount;
        long unknown = 0, unknownRight = 0;
        for (int i = 0; i < dev.Tags.Count; i++)
            for (int t = 0; t < dev.Tags[i].Length; t++)
                if (dev.Tokens[i][t] == RnnMl.Text.Vocabulary.UnknownId) { unknown++; if (predicted[i][t] == dev.Tags[i][t]) unknownRight++; }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {variant.Name}: dev {accuracy:P2}; <unk> tokens {unknownRight / Math.Max(1.0, unknown):P2} of {unknown}, known {(right - unknownRight) / Math.Max(1.0, dev.TokenCount - unknown):P2}"));
        double speed = TagSpeed(dev.Tokens.Count, rows => model.Tag(rows.Select(r => dev.Tokens[r]).ToList(), variant.Characters ? rows.Select(r => dev.Characters[r]).ToList() : null,
            casing: casing ? rows.Select(r => dev.Casing[r]).ToList() : null), dev.Tokens.Select(t => t.Length).ToList());
        var (onnxSpeed, agreement) = Onnx(model, variant, corpus, dev, predicted);
        return new TaggerResult(variant, accuracy, seconds, trained / seconds, speed, onnxSpeed, agreement, result.History.Count, result.BestEpoch, model);
    }

    private static double DevAccuracy(SequenceTagger model, TaggerVariant variant, TaggingCorpus.Encoded dev, bool casing)
    {
        var predicted = model.Tag(dev.Tokens, variant.Characters ? dev.Characters : null, casing: casing ? dev.Casing : null);
        long right = 0;
        for (int i = 0; i < dev.Tags.Count; i++)
            for (int t = 0; t < dev.Tags[i].Length; t++)
                if (predicted[i][t] == dev.Tags[i][t]) right++;
        return right / (double)dev.TokenCount;
    }

    /// <summary>Exports the model, tags dev on ONNX Runtime (one intra-op thread): sentences/s as <see cref="TagSpeed"/>, and the fraction of dev tokens whose tag equals TorchSharp's.</summary>
    private static (double SentencesPerSecond, double Agreement) Onnx(SequenceTagger model, TaggerVariant variant, TaggingCorpus corpus, TaggingCorpus.Encoded dev, long[][] torchTags)
    {
        var path = Path.Combine(Path.GetTempPath(), $"rnnml-bench-tagger-{Guid.NewGuid():N}.onnx");
        try
        {
            var info = new TaggerModelInfo(Tokenizer.Create(TokenizerKind.Word, lowerCase: false), corpus.Words, corpus.Tags,
                variant.Characters ? corpus.Characters : null, lowerCaseWords: corpus.LowerCase);
            OnnxExporter.Export(model, path, info);
            using var sessionOptions = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
            using var tagger = OnnxSequenceTagger.Load(path, sessionOptions);
            var onnxTags = new long[dev.Tokens.Count][];
            double speed = TagSpeed(dev.Tokens.Count, rows =>
            {
                var tags = tagger.TagIds(rows.Select(r => dev.Tokens[r]).ToList(), variant.Characters ? rows.Select(r => dev.Characters[r]).ToList() : null,
                    model.Options.HasCasing ? rows.Select(r => dev.Casing[r]).ToList() : null);
                for (int k = 0; k < rows.Length; k++) onnxTags[rows[k]] = tags[k];
            }, dev.Tokens.Select(t => t.Length).ToList());
            long same = 0;
            for (int i = 0; i < onnxTags.Length; i++)
                for (int t = 0; t < onnxTags[i].Length; t++)
                    if (onnxTags[i][t] == torchTags[i][t]) same++;
            return (speed, same / (double)dev.TokenCount);
        }
        finally
        {
            if (File.Exists(path)) File.Delete(path);
        }
    }

    /// <summary>Sentences per second tagging <paramref name="count"/> sentences in length-sorted batches of 256 (median of 3 passes after a warm-up pass).</summary>
    public static double TagSpeed(int count, Action<int[]> tagBatch, IReadOnlyList<int>? lengths = null)
    {
        var order = Enumerable.Range(0, count).ToArray();
        if (lengths is not null) order = order.OrderBy(i => lengths[i]).ToArray();
        var batches = order.Chunk(256).ToArray();
        void Pass() { foreach (var b in batches) tagBatch(b); }
        Pass();
        var rates = new List<double>();
        for (int r = 0; r < 3; r++)
        {
            var clock = Stopwatch.StartNew();
            Pass();
            rates.Add(count / clock.Elapsed.TotalSeconds);
        }
        return Timing.Median(rates);
    }
}
