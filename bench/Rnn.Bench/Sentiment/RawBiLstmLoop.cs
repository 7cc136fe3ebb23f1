using System.Diagnostics;
using RnnMl.Text;
using RnnMl.Torch.Models;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Bench.Sentiment;

/// <summary>
/// The hand-written reference of issue 11: a plain TorchSharp loop a user might write in 100 lines. BiLSTM, embedding
/// 128, hidden 128, mean+max pooling, dropout 0.3 before the output layer only, Adam 2e-3 (constant), gradient norm
/// clipped at 5, length-bucketed batches of 64, 4 epochs over all training rows (no validation, no early stopping),
/// word tokens lower-cased, every training word in the vocabulary.
/// </summary>
internal static class RawBiLstmLoop
{
    public const int Epochs = 4;
    public const double LearningRate = 2e-3;
    public const int BatchSize = 64;

    /// <summary>What one run gave.</summary>
    /// <param name="Accuracy">Accuracy on the test rows.</param>
    /// <param name="TrainSeconds">Wall time of the training epochs.</param>
    /// <param name="TokensPerSecond">Training tokens per second.</param>
    public sealed record Result(double Accuracy, double TrainSeconds, double TokensPerSecond);

    /// <summary>The loop's inputs: the rows tokenized and encoded with a vocabulary of every training word, the labels,
    /// and the model shape described above.</summary>
    public static (Tokenizer Tokenizer, Vocabulary Vocabulary, List<long[]> Ids, long[] Labels, SequenceClassifierOptions Shape)
        Encode(List<Sst2.Row> train)
    {
        var tokenizer = Tokenizer.Create();
        var tokens = train.Select(r => tokenizer.Tokenize(r.Text)).ToList();
        var vocabulary = Vocabulary.Build(tokens);
        var ids = tokens.Select(t => vocabulary.Encode(t)).ToList();
        var labels = train.Select(r => r.Label ? 1L : 0L).ToArray();
        var shape = new SequenceClassifierOptions
        {
            VocabularySize = vocabulary.Count, ClassCount = 2, EmbeddingSize = 128, HiddenSize = 128, Bidirectional = true,
            Pooling = PoolingKind.MeanMax, Dropout = 0.3, EmbeddingDropout = 0, InputDropout = 0, OutputDropout = 0,
        };
        return (tokenizer, vocabulary, ids, labels, shape);
    }

    /// <summary>Trains on <paramref name="train"/> and scores <paramref name="test"/>.</summary>
    public static Result Run(List<Sst2.Row> train, List<Sst2.Row> test, int seed, int epochs = Epochs)
    {
        var (tokenizer, vocabulary, ids, labels, shape) = Encode(train);
        manual_seed(seed);
        using var model = SequenceClassifier.Create(shape);
        using var optimizer = optim.Adam(model.parameters(), LearningRate);
        var random = new Random(seed);
        long tokens = 0;
        var sw = Stopwatch.StartNew();
        model.train();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            foreach (var rows in LengthBucketing.Batches(ids.Select(s => s.Length).ToList(), BatchSize, random))
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var (x, lengths) = TokenBatch.Pad(rows.Select(r => ids[r]).ToList());
                var y = tensor(rows.Select(r => labels[r]).ToArray());
                var loss = nn.functional.cross_entropy(model.forward(x, lengths), y);
                loss.backward();
                nn.utils.clip_grad_norm_(model.parameters(), 5.0);
                optimizer.step();
                tokens += rows.Sum(r => (long)Math.Max(1, ids[r].Length));
            }
        }
        double seconds = sw.Elapsed.TotalSeconds;
        return new Result(Accuracy(model, vocabulary, tokenizer, test), seconds, tokens / seconds);
    }

    private static double Accuracy(SequenceClassifier model, Vocabulary vocabulary, Tokenizer tokenizer, List<Sst2.Row> test)
    {
        model.eval();
        using var noGrad = no_grad();
        int correct = 0;
        foreach (var chunk in test.Chunk(256))
        {
            using var scope = NewDisposeScope();
            var (x, lengths) = TokenBatch.Pad(chunk.Select(r => vocabulary.Encode(tokenizer.Tokenize(r.Text))).ToList());
            var predicted = model.forward(x, lengths).argmax(1).data<long>().ToArray();
            for (int i = 0; i < chunk.Length; i++)
                if ((predicted[i] == 1) == chunk[i].Label) correct++;
        }
        return (double)correct / test.Count;
    }
}
