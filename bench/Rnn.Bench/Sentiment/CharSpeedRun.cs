using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Classification;
using RnnMl.Text;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Bench.Sentiment;

/// <summary>
/// Character-level SST-2 training speed (issue 18): one epoch of the library's classifier with character tokens
/// (through ML.NET, default options otherwise) against a plain padded-and-masked TorchSharp loop on the same rows,
/// the same tokens and the same model shape (embedding 128, BiLSTM 128 via torch.nn.LSTM on the padded batch without
/// lengths, masked mean+max pooling, dropout 0.3, Adam 2e-3, gradient norm clipped at 5, length-bucketed batches of
/// 64), in the same process, both after <see cref="RnnMl.Torch.NativeAllocator.Tune"/> (the benchmark tunes first), in
/// alternating rounds (median of each). Ours is timed by the epoch's own clock (training + its validation pass); tokens
/// are the training rows' character counts, cut at the classifier's maximum length.
/// </summary>
internal static class CharSpeedRun
{
    /// <summary>Runs both on <paramref name="rows"/> and returns the <c>sst2_char:</c> line.</summary>
    /// <remarks>The raw loop runs once untimed (it meets every batch shape for the first time, which costs libtorch's
    /// kernel extra set-up), then <paramref name="rounds"/> rounds each time one epoch of each, the order alternating
    /// (raw first in odd rounds), so that both see the same load; the line reports each one's median round. On this
    /// shared machine one round of each moved by up to 30 % between runs.</remarks>
    public static string Run(List<Sst2.Row> rows, int seed, RecurrentBackend backend, int rounds = 3)
    {
        var options = Options(seed, backend, progress: null);
        var tokenizer = Tokenizer.Create(options.Tokenizer, options.LowerCase, options.Normalization);
        int maxLength = options.MaxSequenceLength ?? int.MaxValue;
        var ids = EncodeAll(rows, tokenizer, maxLength, out var vocabularySize);
        var labels = rows.Select(r => r.Label ? 1L : 0L).ToArray();
        long ourTokens = (long)(ids.Sum(s => (long)Math.Max(1, s.Length)) * (1 - options.ValidationFraction));

        var (rawFirstSeconds, _) = RawPaddedLoop(ids, labels, vocabularySize, seed);
        var raw = new List<(double Seconds, long Tokens)>();
        var ours = new List<(double Epoch, double Fit)>();
        for (int round = 0; round < rounds; round++)
        {
            if (round % 2 == 0) raw.Add(RawPaddedLoop(ids, labels, vocabularySize, seed));
            ours.Add(OurEpoch(rows, seed, backend));
            if (round % 2 == 1) raw.Add(RawPaddedLoop(ids, labels, vocabularySize, seed));
        }
        var rawMedian = raw.OrderBy(r => r.Seconds).ElementAt(raw.Count / 2);
        var ourMedian = ours.OrderBy(r => r.Epoch).ElementAt(ours.Count / 2);
        double ourRate = ourTokens / ourMedian.Epoch, rawRate = rawMedian.Tokens / rawMedian.Seconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"sst2_char: rows={rows.Count} epochs=1 tokens_per_s={ourRate:F0} raw_tokens_per_s={rawRate:F0} vs_raw={ourRate / rawRate:F3} epoch_s={ourMedian.Epoch:F1} fit_s={ourMedian.Fit:F1} raw_train_s={rawMedian.Seconds:F1} raw_first_pass_s={rawFirstSeconds:F1} rounds={rounds}");
    }

    /// <summary>One epoch of the library's classifier with character tokens through ML.NET: the epoch's own clock
    /// (training and its validation pass) and the whole Fit's.</summary>
    private static (double Epoch, double Fit) OurEpoch(List<Sst2.Row> rows, int seed, RecurrentBackend backend)
    {
        var epochSeconds = new List<double>();
        var options = Options(seed, backend, new SentimentBenchmark.InlineProgress(p =>
        {
            if (p.CompletedEpoch is { } e) epochSeconds.Add(e.Duration.TotalSeconds);
        }));
        var ml = new MLContext(seed: seed);
        var sw = Stopwatch.StartNew();
        using var model = ml.BinaryClassification.Trainers.RecurrentTextClassifier(options).Fit(ml.Data.LoadFromEnumerable(rows));
        return (epochSeconds.Sum(), sw.Elapsed.TotalSeconds);
    }

    /// <summary>The classifier's defaults with character tokens, one epoch of one model (not an ensemble).</summary>
    private static RecurrentTextClassifierOptions Options(int seed, RecurrentBackend backend, IProgress<TrainingProgress>? progress) =>
        new() { Seed = seed, Backend = backend, Tokenizer = TokenizerKind.Character, Epochs = 1, EnsembleSize = 1, Progress = progress };

    private static List<long[]> EncodeAll(List<Sst2.Row> rows, Tokenizer tokenizer, int maxLength, out int vocabularySize)
    {
        var tokens = rows.Select(r => tokenizer.Tokenize(r.Text)).ToList();
        var vocabulary = Vocabulary.Build(tokens);
        vocabularySize = vocabulary.Count;
        return tokens.Select(t => vocabulary.Encode(t).Take(maxLength).ToArray()).ToList();
    }

    /// <summary>The plain loop: padded batch straight into torch.nn.LSTM, masks only in the pooling.</summary>
    private static (double Seconds, long Tokens) RawPaddedLoop(List<long[]> ids, long[] labels, int vocabularySize, int seed)
    {
        const int embedding = 128, hidden = 128, batchSize = 64;
        manual_seed(seed);
        using var embed = nn.Embedding(vocabularySize, embedding, padding_idx: 0);
        using var lstm = nn.LSTM(embedding, hidden, bidirectional: true, batchFirst: true);
        using var head = nn.Linear(4 * hidden, 2);
        using var dropout = nn.Dropout(0.3);
        var parameters = embed.parameters().Concat(lstm.parameters()).Concat(head.parameters()).ToList();
        using var optimizer = optim.Adam(parameters, 2e-3);
        var random = new Random(seed);
        long tokens = 0;
        var sw = Stopwatch.StartNew();
        foreach (var batch in LengthBucketing.Batches(ids.Select(s => Math.Max(1, s.Length)).ToList(), batchSize, random))
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var (x, lengths) = TokenBatch.Pad(batch.Select(r => ids[r]).ToList());
            var (output, _, _) = lstm.call(embed.call(x));
            var mask = arange(x.shape[1]).unsqueeze(0).lt(lengths.unsqueeze(1)).unsqueeze(2);
            var mean = output.masked_fill(mask.logical_not(), 0).sum(1) / lengths.unsqueeze(1).to(output.dtype);
            var max = output.masked_fill(mask.logical_not(), double.NegativeInfinity).amax(new long[] { 1 });
            var logits = head.call(dropout.call(cat(new[] { mean, max }, 1)));
            var loss = nn.functional.cross_entropy(logits, tensor(batch.Select(r => labels[r]).ToArray()));
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 5.0);
            optimizer.step();
            tokens += batch.Sum(r => (long)Math.Max(1, ids[r].Length));
        }
        return (sw.Elapsed.TotalSeconds, tokens);
    }
}
