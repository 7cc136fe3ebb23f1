using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>Perplexity and bits per token (bits per character for a character model) of a language model.</summary>
/// <remarks>
/// With the mean cross-entropy ℓ = −(1/M) Σₜ ln p(xₜ₊₁ | x₀…xₜ) in nats: bits per token = ℓ / ln 2 and perplexity = e^ℓ
/// = 2^(bits per token). A model that spreads its probability evenly over V tokens has ℓ = ln V: V perplexity, log₂ V bits.
/// </remarks>
public static class LanguageModelMetrics
{
    /// <summary>Bits per token from a mean cross-entropy in nats.</summary>
    /// <param name="meanNats">ℓ, at least 0.</param>
    public static double BitsPerToken(double meanNats) => meanNats / Math.Log(2);

    /// <summary>Perplexity from a mean cross-entropy in nats.</summary>
    /// <param name="meanNats">ℓ, at least 0.</param>
    public static double Perplexity(double meanNats) => Math.Exp(meanNats);

    /// <summary>Scores a model on a token stream, read as <paramref name="streams"/> contiguous streams with the state carried through (as in validation).</summary>
    /// <param name="model">The model; run in eval mode without gradients, its mode restored afterwards.</param>
    /// <param name="ids">The stream (e.g. from <c>TextStream.EncodeStream</c>); at least 2 ids.</param>
    /// <param name="streams">Streams read side by side; at least 1, cut to what the stream can fill. Default 8.</param>
    /// <param name="steps">Steps per chunk; at least 1. Default 200.</param>
    /// <returns>The mean cross-entropy over every predicted token.</returns>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public static LanguageModelScore Evaluate(LanguageModel model, long[] ids, int streams = 8, int steps = 200)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Length < 2)
            throw new ArgumentException($"a stream to score needs at least 2 tokens, got {ids.Length}", nameof(ids));
        if (streams < 1)
            throw new ArgumentOutOfRangeException(nameof(streams), streams, $"the number of streams must be at least 1, got {streams}");
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var runner = TruncatedBptt.Create(model.Recurrent, steps);
            double nats = 0;
            long count = 0;
            using var chunks = StreamBatching.Chunks(ids, (int)Math.Min(streams, ids.Length - 1), steps, model.Device).GetEnumerator();
            while (true)
            {
                // Opened before MoveNext so that the scope also takes the chunk's own tensors.
                using var scope = NewDisposeScope();
                if (!chunks.MoveNext()) break;
                var result = LanguageModelTrainingTask.ChunkLoss(model, runner, chunks.Current);
                nats += result.Loss.to(ScalarType.Float64).item<double>() * result.Count;
                count += result.Count;
            }
            return new LanguageModelScore(nats / count, count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
