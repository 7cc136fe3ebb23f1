using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using RnnMl.Bench.Sentiment;
using RnnMl.MLNet.Classification;
using RnnMl.Text;
using static TorchSharp.torch;

namespace RnnMl.Bench.Subwords;

/// <summary>
/// The BPE subword learner on real corpora: its time on Multi30k (German and English, separate and joint) and on SST-2,
/// as a ratio to word-tokenising the same text in the same run; how many pieces a word becomes and how many validation
/// tokens fall outside the vocabulary, words against subwords. With <c>--train</c>, SST-2 dev accuracy of the
/// classifier with library defaults and the chosen tokens (one run per kind, so each stays short).
/// </summary>
internal static class SubwordBenchmark
{
    public const string Name = "subwords";
    public const string Summary = "BPE subword learner time on Multi30k and SST-2; --train word|bpe for SST-2 dev accuracy with those tokens";
    public const string Usage = """
        usage: Rnn.Bench subwords [--quick] [--vocab-size N] [--train word|bpe|char] [--epochs N] [--threads N]

          --quick         Multi30k and SST-2 cut to 5,000 rows each; no training
          --vocab-size N  subword tokens to learn (default 8000)
          --train KIND    also train the classifier (library defaults) on SST-2 train with KIND tokens, score dev
          --epochs N      epochs for --train instead of the library default (compare kinds at the same N)
          --threads N     torch threads for --train (default: torch's own choice)

        Data: ../shared/datasets/multi30k/{train,val}.{de,en} and ../shared/datasets/sst2/{train,dev}.tsv.
        Last line: subwords: learn_multi30k_s=… learn_sst2_s=… learn_vs_tokenize=… pieces_per_word=… val_unk_word=… val_unk_bpe=… [acc=… train_s=…]
        """;

    public static int Run(string[] args)
    {
        var options = new OptionReader(args);
        if (options.Flag("--help")) { Console.WriteLine(Usage); return 0; }
        bool quick = options.Flag("--quick");
        int size = options.Int("--vocab-size", 8000, min: 1);
        int threads = options.Int("--threads", 0, min: 0);
        int epochs = options.Int("--epochs", 0, min: 1);
        var trainText = options.Value("--train");
        TokenizerKind? kind = trainText switch
        {
            null => null,
            "word" => TokenizerKind.Word,
            "bpe" => TokenizerKind.Subword,
            "char" => TokenizerKind.Character,
            _ => throw new UsageException($"--train must be word, bpe or char, got '{trainText}'"),
        };
        options.EnsureEmpty();
        var m30k = SharedData.Find(Path.Combine("datasets", "multi30k"), out var searched);
        var sst2 = SharedData.Find(Path.Combine("datasets", "sst2"), out var searchedSst);
        if (m30k is null || sst2 is null)
        {
            Console.WriteLine($"subwords: skipped, data not found (looked for {searched} and {searchedSst})");
            return 0;
        }
        int rows = quick ? 5000 : int.MaxValue;
        var de = File.ReadLines(Path.Combine(m30k, "train.de")).Take(rows).ToList();
        var en = File.ReadLines(Path.Combine(m30k, "train.en")).Take(rows).ToList();
        var valDe = File.ReadLines(Path.Combine(m30k, "val.de")).ToList();
        var train = Sst2.Read(Path.Combine(sst2, "train.tsv")).Take(rows).ToList();
        var dev = Sst2.Read(Path.Combine(sst2, "dev.tsv"));
        Console.WriteLine($"Multi30k: {de.Count} pairs; SST-2: {train.Count} training phrases; {size} subword tokens per model");

        var words = Tokenizer.Create();
        double Time(Action a) { var sw = Stopwatch.StartNew(); a(); return sw.Elapsed.TotalSeconds; }
        // The reference: word-tokenising all of the Multi30k training text once (the learner does this too, then merges).
        double tokenizeSeconds = Time(() => { foreach (var line in de.Concat(en)) words.Tokenize(line); });
        SubwordModel? modelDe = null, modelEn = null, joint = null;
        double deSeconds = Time(() => modelDe = SubwordModel.Learn(de, size, words));
        double enSeconds = Time(() => modelEn = SubwordModel.Learn(en, size, words));
        double jointSeconds = Time(() => joint = SubwordModel.Learn(de.Concat(en), size, words));
        double sstSeconds = Time(() => SubwordModel.Learn(train.Select(r => r.Text), size, words));
        double m30kSeconds = deSeconds + enSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"learn: German {deSeconds:F2} s ({modelDe!.VocabularySize} tokens), English {enSeconds:F2} s ({modelEn!.VocabularySize}), joint {jointSeconds:F2} s ({joint!.VocabularySize}), SST-2 {sstSeconds:F2} s; word-tokenising Multi30k once {tokenizeSeconds:F2} s"));
        if (modelDe.StopReason is { } why) Console.WriteLine($"German model stopped short: {why}");

        // Out-of-vocabulary on Multi30k val (German): word vocabulary of the training text vs the German subword vocabulary.
        var wordVocabulary = Vocabulary.Build(de.Select(words.Tokenize));
        var valWords = valDe.SelectMany(words.Tokenize).ToList();
        double unkWord = valWords.Count(w => !wordVocabulary.Contains(w)) / (double)valWords.Count;
        var subwordTokenizer = Tokenizer.Create(TokenizerKind.Subword, subwords: modelDe);
        var subwordVocabulary = modelDe.ToVocabulary();
        var valPieces = valDe.SelectMany(subwordTokenizer.Tokenize).ToList();
        double unkBpe = valPieces.Count(p => !subwordVocabulary.Contains(p)) / (double)valPieces.Count;
        double piecesPerWord = valPieces.Count / (double)valWords.Count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Multi30k val (German): {valWords.Count} words → {valPieces.Count} pieces ({piecesPerWord:F3} per word); outside the vocabulary: words {unkWord:P2}, pieces {unkBpe:P2}"));

        string trained = "";
        if (kind is { } k && !quick)
        {
            if (threads > 0) set_num_threads(threads);
            var ml = new MLContext(seed: 1);
            var o = new RecurrentTextClassifierOptions
            {
                Seed = 1, Tokenizer = k, SubwordVocabularySize = size, EnsembleSize = 1,   // tokenizers compared on one model each
                Progress = new EpochPrinter(p =>
                {
                    if (p.CompletedEpoch is { } e)
                        Console.WriteLine($"  epoch {e.Epoch + 1}: train loss {e.TrainLoss:F4}, validation accuracy {e.ValidationMetrics.GetValueOrDefault("accuracy"):P2}, {e.Duration.TotalSeconds:F0} s");
                }),
            };
            if (epochs > 0) o.Epochs = epochs;   // switches MinimumSteps off, as in the sentiment bench
            var (accuracy, seconds, model) = LibraryRun.Recurrent(ml, o, Sst2.Read(Path.Combine(sst2, "train.tsv")), dev);
            using (model)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"SST-2 dev, library defaults, {trainText} tokens: accuracy {accuracy:P2}, {model.Vocabulary!.Count} token ids, {model.TrainingResult!.History.Count} epochs in {seconds:F0} s"));
            trained = string.Create(CultureInfo.InvariantCulture, $" tokens={trainText} acc={accuracy:F4} train_s={seconds:F0}");
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"subwords: learn_multi30k_s={m30kSeconds:F2} learn_sst2_s={sstSeconds:F2} learn_vs_tokenize={m30kSeconds / tokenizeSeconds:F2} pieces_per_word={piecesPerWord:F3} val_unk_word={unkWord:F4} val_unk_bpe={unkBpe:F4}{trained}"));
        return 0;
    }

    private sealed class EpochPrinter(Action<RnnMl.Torch.Training.TrainingProgress> report) : IProgress<RnnMl.Torch.Training.TrainingProgress>
    {
        public void Report(RnnMl.Torch.Training.TrainingProgress value) => report(value);
    }
}
