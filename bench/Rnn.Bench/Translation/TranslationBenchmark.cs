using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Translation;
using RnnMl.Text;
using RnnMl.Text.Decoding;
using RnnMl.Text.Metrics;
using RnnMl.Torch.Decoding;
using RnnMl.Torch.Models;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Bench.Translation;

/// <summary>
/// Multi30k German → English (train → val; Elliott et al., 2016): the attention encoder-decoder trained through ML.NET,
/// BLEU with greedy and beam search (lower-cased, sacreBLEU's 13a tokenisation), training time and throughput, and
/// decoding speed.
/// </summary>
internal static class TranslationBenchmark
{
    public const string Name = "translation";
    public const string Summary = "Multi30k de→en: attention seq2seq through ML.NET; BLEU greedy/beam, training time, tokens/s, decoding sentences/s";
    public const string Usage = """
        usage: Rnn.Bench translation [--quick] [--minutes X] [--epochs N] [--train-rows N] [--threads N] [options]

          --quick           10,000 training pairs, a smaller model, 3 epochs or 2 minutes, BLEU on 300 val sentences (under 3 minutes; BLEU will be low)
          --minutes X       training time budget; the best epoch so far is kept (default 55; quick 2)
          --epochs N        epochs at most (default 30; quick 3); early stopping after 3 epochs without a lower validation loss
          --train-rows N    use only the first N training pairs (default all 29,000)
          --val-rows N      BLEU on the first N val sentences (default all 1,014; quick 300)
          --hidden N        encoder hidden size per direction (default 256, the library's; quick 128); the decoder has 2·N
          --embedding N     embedding size (default 256, the library's; quick 128)
          --attention A     none, bahdanau, luongdot or luonggeneral (default luonggeneral)
          --beam N          beam width (default 5)
          --batch N         training batch size (default 64)
          --dropout X       dropout (default 0.3, the library's; quick 0.2)
          --lr X            Adam learning rate (default 0.002)
          --schedule S      constant, warmupcosine, warmuplineardecay, reduceonplateau, … (default the library's, reduceonplateau)
          --tied true|false tie the decoder's output layer to the target embeddings (default the library's, true)
          --label-smoothing X  label smoothing of the training loss (default the library's, 0.1)
          --tokenizer T     word or bpe, both sides (default word); bpe learns one joint subword model
          --vocab-size N    subword vocabulary size with --tokenizer bpe (default 8000)
          --threads N       torch intra-op threads (default 1: on 2 shared, busy cores libtorch's spinning workers make 2 slower)
          --save-model FILE save the trained model (SaveRnnModel) for later --load-model runs
          --load-model FILE skip training: score a model saved with --save-model (train_s, train_peak_mb are then 0)
          --alphas A,B,…    also report beam BLEU for these length penalties α (tuning; the line uses the model's α)
          --prune RP/MC/S   beam pruning for every beam run: relative threshold rp, max candidates per hypothesis mc (0 no
                            limit), shrink the beam on ended hypotheses (s or -), e.g. 0.1/2/s (default the model's)
          --prune-sweep L   also report BLEU and rows per sentence for these pruning settings, ';'-separated RP/MC/S
          --alternate N     after the scored run, decode greedy and beam in turn N times and print beam/greedy speed ratios
          --raw-batches N   time N training batches with a raw TorchSharp loop and with RnnMl's loss, interleaved, on fresh
                            models of the trained shape (default 60; quick 20; 0 skips)

        Data: ../shared/datasets/multi30k/{train,val}.{de,en} beside the repository root (Elliott et al., 2016).
        Last line: multi30k: bleu_greedy=… bleu_beam=… bleu_cased=… chrf=… train_s=… train_peak_mb=… beam_peak_mb=…
                   decode_sent_per_s=… beam_sent_per_s=…
          BLEU is sacreBLEU's corpus BLEU (13a), lower-cased, bleu_cased is the beam output's cased BLEU (sacreBLEU's default)
          and chrf its chrF; *_peak_mb is the peak resident set of that phase (Linux VmHWM, reset before it); decoding speed
          is greedy's, beam_sent_per_s beam search's.
        """;

    private const int Seed = 1;

    public static int Run(string[] args)
    {
        var options = new OptionReader(args);
        if (options.Flag("--help")) { Console.WriteLine(Usage); return 0; }
        bool quick = options.Flag("--quick");
        double minutes = double.Parse(options.Value("--minutes") ?? (quick ? "2" : "55"), CultureInfo.InvariantCulture);
        if (!(minutes > 0)) throw new UsageException($"--minutes needs a positive number, got {minutes}");
        int epochs = options.Int("--epochs", quick ? 3 : 30, min: 1);
        int trainRows = options.Int("--train-rows", quick ? 10_000 : int.MaxValue, min: 10);
        int valRows = options.Int("--val-rows", quick ? 300 : int.MaxValue, min: 1);
        int hidden = options.Int("--hidden", quick ? 128 : 256, min: 1);
        int embedding = options.Int("--embedding", quick ? 128 : 256, min: 1);
        int beam = options.Int("--beam", 5, min: 1);
        int batch = options.Int("--batch", 64, min: 1);
        int threads = options.Int("--threads", 1, min: 1);
        double dropout = Double(options, "--dropout", quick ? 0.2 : 0.3);
        double learningRate = Double(options, "--lr", 2e-3);
        double labelSmoothing = Double(options, "--label-smoothing", new RecurrentTranslatorOptions().LabelSmoothing);
        var tiedText = options.Value("--tied") ?? (new RecurrentTranslatorOptions().TieEmbeddings ? "true" : "false");
        bool tied = tiedText switch
        {
            "true" => true,
            "false" => false,
            _ => throw new UsageException($"--tied must be true or false, got '{tiedText}'"),
        };
        var scheduleName = options.Value("--schedule") ?? new RecurrentTranslatorOptions().Schedule.ToString();
        if (!Enum.TryParse<LearningRateSchedule>(scheduleName, ignoreCase: true, out var schedule))
            throw new UsageException($"--schedule must be one of {string.Join(", ", Enum.GetNames<LearningRateSchedule>())}, got '{scheduleName}'");
        var tokenizerName = options.Value("--tokenizer") ?? "word";
        var tokenizer = tokenizerName switch
        {
            "word" => TokenizerKind.Word,
            "bpe" => TokenizerKind.Subword,
            _ => throw new UsageException($"--tokenizer must be word or bpe, got '{tokenizerName}'"),
        };
        int vocabSize = options.Int("--vocab-size", 8_000, min: 10);
        var attentionName = options.Value("--attention") ?? "luonggeneral";
        if (!Enum.TryParse<AttentionKind>(attentionName, ignoreCase: true, out var attention))
            throw new UsageException($"--attention must be none, bahdanau, luongdot or luonggeneral, got '{attentionName}'");
        int rawBatches = options.Int("--raw-batches", quick ? 20 : 60, min: 0);
        int alternations = options.Int("--alternate", 0, min: 0);
        var savePath = options.Value("--save-model");
        var loadPath = options.Value("--load-model");
        var alphas = (options.Value("--alphas") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(a => double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x >= 0 ? x
                : throw new UsageException($"--alphas needs non-negative numbers separated by commas, got '{a}'")).ToArray();
        var prune = options.Value("--prune");
        var sweep = (options.Value("--prune-sweep") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries);
        options.EnsureEmpty();
        if (loadPath is not null && !File.Exists(loadPath)) throw new UsageException($"--load-model: no file '{Path.GetFullPath(loadPath)}'");

        var folder = SharedData.Find(Path.Combine("datasets", "multi30k"), out var searched);
        if (folder is null)
        {
            Console.WriteLine($"translation: skipped, Multi30k not found (looked for {searched})");
            return 0;
        }
        set_num_threads(threads);
        var train = Read(folder, "train").Take(trainRows).ToList();
        var val = Read(folder, "val");
        var test = val.Take(valRows).ToList();
        Console.WriteLine($"Multi30k de→en: {train.Count} training pairs, {val.Count} val pairs (BLEU on {test.Count}); up to {epochs} epoch(s) or {minutes} min{(quick ? " (quick)" : "")}; torch threads {get_num_threads()}");

        var ml = new MLContext(seed: Seed);
        RecurrentTranslatorTransformer model;
        double trainSeconds = 0, trainPeak = 0;
        if (loadPath is not null)
        {
            model = (RecurrentTranslatorTransformer)ml.Model.LoadRnnModel(loadPath, out _);
            Console.WriteLine($"loaded {Path.GetFullPath(loadPath)} (no training)");
        }
        else
        {
            var trainer = new RecurrentTranslatorOptions
            {
                SourceColumnName = "Source",
                TargetColumnName = "Target",
                MinTokenCount = 2,
                EmbeddingSize = embedding,
                HiddenSize = hidden,
                Attention = attention,
                Dropout = dropout,
                Epochs = epochs,
                BatchSize = batch,
                LearningRate = learningRate,
                Schedule = schedule,
                LabelSmoothing = labelSmoothing,
                TieEmbeddings = tied,
                SourceTokenizer = tokenizer,
                TargetTokenizer = tokenizer,
                JointSubwordVocabulary = tokenizer == TokenizerKind.Subword,
                SubwordVocabularySize = vocabSize,
                EarlyStoppingPatience = 3,
                MaxTrainingTime = TimeSpan.FromMinutes(minutes),
                BeamWidth = beam,
                Seed = Seed,
                Progress = new EpochPrinter(),
            };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model: bidirectional GRU encoder {embedding}/{hidden}, GRU decoder {2 * hidden}, {attention} attention{(tied ? ", tied output embeddings" : "")}, dropout {trainer.Dropout}; " +
                $"Adam {trainer.LearningRate} {schedule}, batch {batch}, label smoothing {labelSmoothing}, {tokenizerName} tokens{(tokenizer == TokenizerKind.Subword ? $" (joint {vocabSize})" : "")}"));
            PeakMemory.Reset();
            var sw = Stopwatch.StartNew();
            var trainData = ml.Data.LoadFromEnumerable(train);
            model = ml.Transforms.Text.TranslateText(trainer).Fit(trainData, ml.Data.LoadFromEnumerable(val));
            trainSeconds = sw.Elapsed.TotalSeconds;
            trainPeak = PeakMemory.PeakMegabytes();
            var result = model.TrainingResult!;
            long trainedTokens = result.History.Sum(e => e.TrainCount);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trained {result.History.Count} epoch(s) in {trainSeconds:F0} s ({result.StopReason}; kept epoch {result.BestEpoch + 1}); " +
                $"{trainedTokens / trainSeconds:F0} target tokens/s; {model.Model.parameters().Sum(p => p.numel()):N0} parameters; peak RSS {trainPeak:F0} MB; vocabularies {model.SourceVocabulary.Count} de, {model.TargetVocabulary.Count} en"));
            if (savePath is not null)
            {
                ml.Model.SaveRnnModel(model, trainData.Schema, savePath);
                Console.WriteLine($"saved {Path.GetFullPath(savePath)}");
            }
        }
        using var disposeModel = model;

        var sources = test.Select(p => p.Source).ToList();
        var references = test.Select(p => p.Target).ToList();
        var beamOptions = model.Decoding with { BeamWidth = beam };
        if (prune is not null) beamOptions = Pruned(beamOptions, prune);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"beam options: width {beamOptions.BeamWidth}, α {beamOptions.LengthPenalty}, relative threshold {beamOptions.RelativeThreshold}, max candidates {beamOptions.MaxCandidatesPerHypothesis}, shrink {beamOptions.ShrinkBeamOnEnd}"));
        PeakMemory.Reset();
        long rows0 = DecoderRowCounter.Greedy;
        var greedy = model.Evaluate(sources, references, model.Decoding with { BeamWidth = 1 });
        double greedyRows = (DecoderRowCounter.Greedy - rows0) / (double)sources.Count;
        double greedyPeak = PeakMemory.PeakMegabytes();
        PeakMemory.Reset();
        rows0 = DecoderRowCounter.Beam;
        var beamed = model.Evaluate(sources, references, beamOptions);
        double beamRows = (DecoderRowCounter.Beam - rows0) / (double)sources.Count;
        double beamPeak = PeakMemory.PeakMegabytes();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak RSS while decoding {test.Count} sentences: greedy {greedyPeak:F0} MB, beam {beam} {beamPeak:F0} MB"));
        double bleuCased = Bleu.Corpus(beamed.Translations, references, lowercase: false);
        for (int i = 0; i < Math.Min(3, sources.Count); i++)
            Console.WriteLine($"  {sources[i]}\n    ref:  {references[i]}\n    beam: {beamed.Translations[i]}");
        foreach (var (name, r) in new[] { ("greedy", greedy), ($"beam {beam} (α {beamOptions.LengthPenalty})", beamed) })
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: BLEU {r.Bleu:F2} (cased {Bleu.Corpus(r.Translations, references, lowercase: false):F2}), chrF {r.ChrF:F2}, exact {r.ExactMatch:P1}, {r.SentencesPerSecond:F1} sentences/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"decoder rows per sentence: greedy {greedyRows:F2}, beam {beamRows:F2} (beam/greedy rows {greedyRows / beamRows:F3})"));
        foreach (var setting in sweep)
        {
            var o = Pruned(beamOptions, setting);
            long before = DecoderRowCounter.Beam;
            var r = model.Evaluate(sources, references, o);
            double perSentence = (DecoderRowCounter.Beam - before) / (double)sources.Count;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"prune {setting}: BLEU {r.Bleu:F2} (cased {Bleu.Corpus(r.Translations, references, lowercase: false):F2}), chrF {r.ChrF:F2}, rows per sentence {perSentence:F2} (greedy/beam rows {greedyRows / perSentence:F3}), {r.SentencesPerSecond:F1} sentences/s"));
        }
        foreach (var alpha in alphas)
        {
            var r = model.Evaluate(sources, references, beamOptions with { LengthPenalty = alpha });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"beam {beam} α {alpha}: BLEU {r.Bleu:F2} (cased {Bleu.Corpus(r.Translations, references, lowercase: false):F2}), chrF {r.ChrF:F2}, {r.SentencesPerSecond:F1} sentences/s"));
        }
        if (alternations > 0) AlternateDecoding(model, sources, references, beamOptions, alternations);
        // After decoding, so that its allocations do not raise the decoding phases' baseline.
        if (rawBatches > 0 && loadPath is null && tokenizer != TokenizerKind.Word)
            Console.WriteLine("raw loop skipped: it encodes words only (use --tokenizer word)");
        else if (rawBatches > 0)
            RawTrainingLoop.Run(model.Model.Options, model.SourceVocabulary, model.TargetVocabulary,
                train.Select(p => (p.Source, p.Target)).ToList(), batch, rawBatches, Seed);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"multi30k: bleu_greedy={greedy.Bleu:F2} bleu_beam={beamed.Bleu:F2} bleu_cased={bleuCased:F2} chrf={beamed.ChrF:F2} train_s={trainSeconds:F0} " +
            $"train_peak_mb={trainPeak:F0} beam_peak_mb={beamPeak:F0} decode_sent_per_s={greedy.SentencesPerSecond:F1} beam_sent_per_s={beamed.SentencesPerSecond:F1}"));
        return 0;
    }

    // Greedy and beam in turn, so that load on a shared machine hits both alike: per round the beam/greedy ratio of
    // sentences/s (wall clock) and of process CPU seconds (greedy's over beam's, less sensitive to other processes), and their medians.
    private static void AlternateDecoding(RecurrentTranslatorTransformer model, List<string> sources, List<string> references, DecodingOptions beamOptions, int rounds)
    {
        var wall = new List<double>();
        var cpu = new List<double>();
        static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        for (int round = 0; round < rounds; round++)
        {
            long g0 = DecoderRowCounter.Greedy, b0 = DecoderRowCounter.Beam;
            double start = CpuSeconds();
            var greedy = model.Evaluate(sources, references, model.Decoding with { BeamWidth = 1 });
            double middle = CpuSeconds();
            var beamed = model.Evaluate(sources, references, beamOptions);
            double end = CpuSeconds();
            wall.Add(beamed.SentencesPerSecond / greedy.SentencesPerSecond);
            cpu.Add((middle - start) / (end - middle));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1}: greedy {greedy.SentencesPerSecond:F1} sentences/s ({middle - start:F2} CPU s, BLEU {greedy.Bleu:F2}), beam {beamed.SentencesPerSecond:F1} ({end - middle:F2} CPU s, BLEU {beamed.Bleu:F2}); beam/greedy {wall[^1]:F3} (CPU {cpu[^1]:F3}); rows per sentence greedy {(DecoderRowCounter.Greedy - g0) / (double)sources.Count:F2}, beam {(DecoderRowCounter.Beam - b0) / (double)sources.Count:F2}"));
        }
        static double Median(List<double> x) { var s = x.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"beam_vs_greedy: median {Median(wall):F3} (CPU {Median(cpu):F3}) over {rounds} round(s); wall min {wall.Min():F3} max {wall.Max():F3}"));
    }

    // RP/MC/S: relative threshold, max candidates per hypothesis, 's' to shrink the beam on ended hypotheses ('-' not).
    private static DecodingOptions Pruned(DecodingOptions options, string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 3 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var rp)
            || !int.TryParse(parts[1], out var mc) || parts[2] is not ("s" or "-"))
            throw new UsageException($"pruning settings are RP/MC/S (e.g. 0.1/2/s or 0/0/-), got '{text}'");
        try { return (options with { RelativeThreshold = rp, MaxCandidatesPerHypothesis = mc, ShrinkBeamOnEnd = parts[2] == "s" }).Validate(); }
        catch (ArgumentException e) { throw new UsageException($"pruning '{text}': {e.Message}"); }
    }

    private static double Double(OptionReader options, string name, double fallback)
    {
        var text = options.Value(name);
        if (text is null) return fallback;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x >= 0 && double.IsFinite(x) ? x
            : throw new UsageException($"{name} needs a non-negative number, got '{text}'");
    }

    private static List<Pair> Read(string folder, string split)
    {
        var de = File.ReadAllLines(Path.Combine(folder, split + ".de"));
        var en = File.ReadAllLines(Path.Combine(folder, split + ".en"));
        if (de.Length != en.Length)
            throw new InvalidDataException($"{split}.de has {de.Length} lines but {split}.en has {en.Length}; the files must be line-aligned");
        return de.Zip(en, (s, t) => new Pair { Source = s, Target = t }).ToList();
    }

    private sealed class Pair
    {
        public string Source { get; set; } = "";
        public string Target { get; set; } = "";
    }

    /// <summary>One line per epoch, so that a long run shows where it is.</summary>
    private sealed class EpochPrinter : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.CompletedEpoch is not { } e) return;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  epoch {e.Epoch + 1}: train loss {e.TrainLoss:F3}, val loss {e.ValidationLoss:F3}, val token accuracy {e.ValidationMetrics.GetValueOrDefault("accuracy"):P1}, {e.Duration.TotalSeconds:F0} s, {e.TrainCount / e.Duration.TotalSeconds:F0} target tokens/s, RSS {PeakMemory.CurrentMegabytes():F0} MB (peak {PeakMemory.PeakMegabytes():F0}){(e.IsBest ? " (best)" : "")}"));
        }
    }
}
