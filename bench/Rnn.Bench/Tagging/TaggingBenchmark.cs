using System.Globalization;
using RnnMl.Text;
using RnnMl.Text.Data;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Bench.Tagging;

/// <summary>
/// UPOS tagging on UD English LinES (train → dev): our <c>SequenceTagger</c> with and without CRF and character encoder,
/// trained through <c>SequenceTaggerTrainingTask</c> and the shared <c>Trainer</c>, against the most-frequent-tag
/// baseline computed in the same run; training time and tokens/s, tagging sentences/s.
/// </summary>
internal static class TaggingBenchmark
{
    public const string Name = "tagging";
    public const string Summary = "UD English LinES UPOS: BiLSTM tagger ± CRF ± character encoder vs the most-frequent-tag baseline; train tokens/s, tag sentences/s";
    public const string Usage = """
        usage: Rnn.Bench tagging [--quick] [--variants LIST] [--minutes M] [--epochs N] [--hidden H] [--embedding E] [--layers L]
                                 [--dropout X] [--word-dropout X] [--char-embedding E] [--char-hidden H] [--lr X] [--batch N] [--min-count N] [--patience N] [--schedule S]
                                 [--lowercase true|false] [--char-encoder lstm|cnn] [--freq-word-dropout A] [--casing E]
                                 [--holdout F] [--warmup F] [--dev-each-epoch] [--vectors FILE [--freeze-vectors]] [--seed S] [--threads T]

          --quick          1,000 training sentences, 20 s per variant, variants crf,char-crf (under 2 minutes in all; accuracy lower)
          --variants LIST  comma-separated, from softmax, crf, char-softmax, char-crf (default softmax,crf,char-crf);
                           the last one is the headline model of the last line
          --minutes M      training budget per variant in minutes (default 10 for the last variant, 3 for the others)
          --epochs N       at most N epochs (default 40); early stopping on the token accuracy of the --holdout part of train
          --patience N     epochs without a better held-out accuracy before stopping (default 5)
          --hidden H       word BiLSTM hidden size per direction (default 128)
          --embedding E    word embedding size (default 100)
          --layers L       stacked BiLSTM layers (default 1)
          --dropout X      dropout (default 0.5)
          --word-dropout X training tokens replaced by <unk> with this probability (default 0)
          --char-embedding E  character embedding size (default 25)
          --char-hidden H  character BiLSTM hidden size per direction, or half the CNN's filters (default 50)
          --char-encoder E the char- variants' word encoder: lstm (BiLSTM, Lample et al.) or cnn (width 3, max-pooled; Ma and Hovy) (default lstm)
          --freq-word-dropout A  a training token seen c times is replaced by <unk> with probability A/(A+c) (default 0; 0.25 in
                           Kiperwasser and Goldberg; use with --min-count 1)
          --casing E       width of the casing-class embedding (all-lower, first-upper, all-upper, has-digit, other) appended to
                           each token's features; 0 for none (default 0)
          --holdout F      hold out this fraction of the training sentences (shuffled with the seed) for early stopping and the
                           plateau schedule, so dev is only reported, never watched (default 0.1, the ML.NET trainer's protocol); 0 watches
                           dev instead (the protocol of the sweep's rows 1-14, which flatters dev)
          --dev-each-epoch with --holdout, also print the dev accuracy after each epoch (report only: nothing watches it; the
                           time it takes counts in train_s), to compare settings at equal epochs
          --vectors FILE   start the word embedding from pretrained vectors (word2vec/GloVe/fastText text, or word2vec binary
                           for *.bin; their dimension must equal --embedding), matched to the word ids with the --lowercase rule;
                           unmatched words start random on the same scale (default none; ../shared has no vector file)
          --freeze-vectors with --vectors: keep the word embedding fixed in training (default: fine-tune it)
          --seed S         the seed of torch, the initialisation, the batch order and the --holdout split (default 1)
          --lr X           Adam learning rate (default 0.005)
          --batch N        sentences per batch (default 16)
          --min-count N    training words seen fewer times are <unk> (default 2), which teaches the <unk> embedding
          --schedule S     constant, plateau (halve the rate after each epoch without a better held-out accuracy), cosine (to 0 at
                           --epochs), warmup-cosine or warmup-linear (linear rise over --warmup of the steps, then decay to 0
                           at --epochs) (default plateau)
          --warmup F       warm-up fraction of the warmup- schedules (default 0.1)
          --lowercase B    word ids of lower-cased forms (characters keep the case) (default true)
          --threads T      torch threads (default 1, faster than one per core on a busy machine; 0 for libtorch's default)

        Data: ../shared/datasets/ud_english_lines/en_lines-ud-{train,dev}.conllu beside the repository root (UD English
        LinES, CC BY-SA 4.0), UPOS column. Dev is only reported; early stopping and the plateau schedule watch --holdout.
        Last line: tagging: upos_acc=… mft_acc=… train_s=… train_tokens_per_s=… tag_sent_per_s=…
        (the last variant's numbers; tag_sent_per_s is ONNX Runtime, one thread, length-sorted batches of 256, Viterbi in C#;
        the table also gives TorchSharp's speed and the share of dev tokens on which both tag alike)
        """;


    public static int Run(string[] args)
    {
        var options = new OptionReader(args);
        if (options.Flag("--help")) { Console.WriteLine(Usage); return 0; }
        bool quick = options.Flag("--quick");
        var variantNames = (options.Value("--variants") ?? (quick ? "crf,char-crf" : "softmax,crf,char-crf")).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var variants = variantNames.Select(n => Array.Find(TaggerVariant.All, v => v.Name == n)
            ?? throw new UsageException($"--variants: unknown variant '{n}' (softmax, crf, char-softmax, char-crf)")).ToArray();
        if (variants.Length == 0) throw new UsageException("--variants needs at least one variant");
        double? minutes = Double(options, "--minutes", null);
        var settings = new TaggerSettings(
            Embedding: options.Int("--embedding", 100, min: 1),
            Hidden: options.Int("--hidden", 128, min: 1),
            Layers: options.Int("--layers", 1, min: 1),
            Dropout: Double(options, "--dropout", 0.5) ?? 0.5,
            CharEmbedding: options.Int("--char-embedding", 25, min: 1),
            CharHidden: options.Int("--char-hidden", 50, min: 1),
            LearningRate: Double(options, "--lr", 0.005) ?? 0.005,
            BatchSize: options.Int("--batch", 16, min: 1),
            Epochs: options.Int("--epochs", 40, min: 1),
            Patience: options.Int("--patience", 5, min: 1),
            Minutes: 0,
            WordDropout: Double(options, "--word-dropout", 0) ?? 0,
            FrequencyWordDropout: Double(options, "--freq-word-dropout", 0) ?? 0,
            CharEncoder: (options.Value("--char-encoder") ?? "lstm") switch
            {
                "lstm" => RnnMl.Torch.Models.CharacterEncoderKind.BiLstm,
                "cnn" => RnnMl.Torch.Models.CharacterEncoderKind.Cnn,
                var other => throw new UsageException($"--char-encoder must be lstm or cnn, got '{other}'"),
            },
            Schedule: (options.Value("--schedule") ?? "plateau") switch
            {
                "plateau" => LearningRateSchedule.ReduceOnPlateau,
                "constant" => LearningRateSchedule.Constant,
                "cosine" => LearningRateSchedule.Cosine,
                "warmup-cosine" => LearningRateSchedule.WarmupCosine,
                "warmup-linear" => LearningRateSchedule.WarmupLinearDecay,
                var other => throw new UsageException($"--schedule must be constant, plateau, cosine, warmup-cosine or warmup-linear, got '{other}'"),
            });
        bool lowerCase = (options.Value("--lowercase") ?? "true") switch
        {
            "true" => true,
            "false" => false,
            var other => throw new UsageException($"--lowercase must be true or false, got '{other}'"),
        };
        settings = settings with { Casing = options.Int("--casing", 0, min: 0), Holdout = Double(options, "--holdout", 0.1) ?? 0.1, Warmup = Double(options, "--warmup", 0.1) ?? 0.1, DevEachEpoch = options.Flag("--dev-each-epoch") };
        string? vectorPath = options.Value("--vectors");
        bool freezeVectors = options.Flag("--freeze-vectors");
        if (freezeVectors && vectorPath is null) throw new UsageException("--freeze-vectors needs --vectors FILE");
        int seed = options.Int("--seed", 1, min: 0);
        int minCount = options.Int("--min-count", 2, min: 1);
        int threads = options.Int("--threads", 1, min: 0);
        options.EnsureEmpty();
        if (settings.Dropout >= 1) throw new UsageException($"--dropout must be below 1, got {settings.Dropout}");
        if (settings.WordDropout >= 1) throw new UsageException($"--word-dropout must be below 1, got {settings.WordDropout}");
        if (settings.Warmup >= 1) throw new UsageException($"--warmup must be below 1, got {settings.Warmup}");
        if (settings.Holdout >= 0.5) throw new UsageException($"--holdout must be below 0.5, got {settings.Holdout}");
        if (threads > 0) set_num_threads(threads);

        var folder = SharedData.Find(Path.Combine("datasets", "ud_english_lines"), out var searched);
        string trainPath = folder is null ? "" : Path.Combine(folder, "en_lines-ud-train.conllu"), devPath = folder is null ? "" : Path.Combine(folder, "en_lines-ud-dev.conllu");
        if (folder is null || !File.Exists(trainPath) || !File.Exists(devPath))
        {
            Console.WriteLine($"tagging: skipped, UD English LinES not found (looked for en_lines-ud-train.conllu and en_lines-ud-dev.conllu in {searched})");
            return 0;
        }
        var trainSentences = ConlluReader.ReadFile(trainPath).Where(s => s.Tokens.Count > 0).ToList();
        var devSentences = ConlluReader.ReadFile(devPath).ToList();
        if (quick) trainSentences = trainSentences.Take(1_000).ToList();
        List<TaggedSentence>? heldOut = null;
        if (settings.Holdout > 0)
        {
            var shuffled = trainSentences.ToArray();
            new Random(seed).Shuffle(shuffled);
            int count = Math.Max(1, (int)Math.Round(settings.Holdout * shuffled.Length));
            heldOut = shuffled.Take(count).ToList();
            trainSentences = shuffled.Skip(count).ToList();
        }

        var corpus = TaggingCorpus.Build(trainSentences, minCount, lowerCase);
        var train = corpus.Encode(trainSentences, trainPath);
        var dev = corpus.Encode(devSentences, devPath);
        var valid = heldOut is null ? dev : corpus.Encode(heldOut, trainPath);
        if (vectorPath is not null)
        {
            // The corpus's word forms are the tokens as read, lower-cased with --lowercase: match the file's words the same way.
            WordVectors vectors;
            try { vectors = WordVectors.Load(vectorPath, corpus.Words, Tokenizer.Create(TokenizerKind.Word, lowerCase, TextNormalization.None), expectedDimension: settings.Embedding); }
            catch (Exception e) when (e is IOException or InvalidDataException) { throw new UsageException($"--vectors: {e.Message}"); }
            Console.WriteLine($"pretrained vectors: {vectors.Rows.Count} of {corpus.Words.Count - 2} words found among the {vectors.Entries} words of {vectorPath}{(freezeVectors ? " (frozen)" : "")}");
            settings = settings with { Vectors = vectors, FreezeVectors = freezeVectors };
        }
        double mft = TaggingCorpus.MostFrequentTagAccuracy(trainSentences, devSentences);
        long unknown = dev.Tokens.Sum(t => t.Count(id => id == RnnMl.Text.Vocabulary.UnknownId));
        Console.WriteLine($"UD English LinES UPOS: {trainSentences.Count} training sentences ({train.TokenCount} tokens), {devSentences.Count} dev sentences "
            + $"({dev.TokenCount} tokens, {unknown} <unk>); {corpus.Words.Count} words (min count {minCount}{(lowerCase ? ", lower-cased" : "")}), {corpus.Characters.Count} characters, {corpus.Tags.Count} tags; torch threads {get_num_threads()}");
        if (heldOut is not null) Console.WriteLine($"held out of train for early stopping: {heldOut.Count} sentences ({valid.TokenCount} tokens); dev is not watched");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"most-frequent-tag baseline: dev accuracy {mft:P2}"));

        var results = new List<TaggerResult>();
        try
        {
            for (int i = 0; i < variants.Length; i++)
            {
                bool headline = i == variants.Length - 1;
                var s = settings with { Minutes = minutes ?? (quick ? 20.0 / 60 : headline ? 10 : 3) };
                Console.WriteLine($"{variants[i].Name}: {s}");
                results.Add(TaggerRun.Train(variants[i], s, corpus, train, dev, valid, seed));
            }

            Console.WriteLine();
            Console.WriteLine("| variant | dev UPOS acc | epochs (best) | train s | train tokens/s | tag sentences/s TorchSharp | tag sentences/s ONNX Runtime | ONNX = TorchSharp tags |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var r in results)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Variant.Name} | {r.DevAccuracy:P2} | {r.Epochs} ({r.BestEpoch + 1}) | {r.TrainSeconds:F0} | {r.TrainTokensPerSecond:F0} | {r.TagSentencesPerSecond:F0} | {r.OnnxSentencesPerSecond:F0} | {r.OnnxAgreement:P2} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| most frequent tag | {mft:P2} | | | | | | |"));

            var h = results[^1];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"tagging: upos_acc={h.DevAccuracy * 100:F2} mft_acc={mft * 100:F2} train_s={h.TrainSeconds:F0} train_tokens_per_s={h.TrainTokensPerSecond:F0} tag_sent_per_s={h.OnnxSentencesPerSecond:F0}"));
            return 0;
        }
        finally
        {
            foreach (var r in results) r.Model.Dispose();
        }
    }

    private static double? Double(OptionReader options, string name, double? fallback)
    {
        var text = options.Value(name);
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value >= 0))
            throw new UsageException($"{name} needs a non-negative number, got '{text}'");
        return value;
    }
}
