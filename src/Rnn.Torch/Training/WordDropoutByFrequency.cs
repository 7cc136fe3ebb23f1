using RnnMl.Torch.Models;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>
/// Frequency-dependent word dropout (Kiperwasser and Goldberg 2016), the training-time half of
/// <see cref="SequenceTaggerOptions.FrequencyWordDropout"/>: a token whose id occurs c times in the training sentences is
/// replaced by <see cref="RnnMl.Text.Vocabulary.UnknownId"/> with probability α / (α + c).
/// </summary>
/// <remarks>
/// Rare words are dropped often and frequent ones almost never, so the &lt;unk&gt; embedding learns from real contexts
/// and the tagger learns to lean on the character encoder for words it will not know at inference. Padding, unknown and
/// ids absent from the training sentences keep probability 0. The draws come from torch's generator, so the seed fixes
/// them. <see cref="SequenceTaggerTrainingTask"/> applies it to training batches only, never to validation or inference.
/// </remarks>
public sealed class WordDropoutByFrequency : IDisposable
{
    private readonly double[] probabilities;
    private readonly Tensor table;
    private bool disposed;

    private WordDropoutByFrequency(double alpha, double[] probabilities, Device? device)
    {
        Alpha = alpha;
        this.probabilities = probabilities;
        using var scope = NewDisposeScope();
        table = tensor(probabilities, ScalarType.Float32, device).DetachFromDisposeScope();
    }

    /// <summary>Counts the ids of <paramref name="sentences"/> and builds the per-id replacement probabilities.</summary>
    /// <param name="alpha">α &gt; 0, finite.</param>
    /// <param name="vocabularySize">V, the number of token ids; at least 2.</param>
    /// <param name="sentences">The training sentences' token ids, each in [0, V).</param>
    /// <param name="device">Where the (V) probability table lives; default CPU.</param>
    /// <exception cref="ArgumentException">α or V is out of range, or an id is outside [0, V) (naming the sentence and the id).</exception>
    public static WordDropoutByFrequency Create(double alpha, int vocabularySize, IEnumerable<long[]> sentences, Device? device = null)
    {
        if (!(alpha > 0 && double.IsFinite(alpha)))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"α must be a finite number > 0, got {alpha}");
        if (vocabularySize < 2)
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, $"vocabulary size must be at least 2, got {vocabularySize}");
        ArgumentNullException.ThrowIfNull(sentences);
        var counts = new double[vocabularySize];
        int row = 0;
        foreach (var sentence in sentences)
        {
            foreach (var id in sentence ?? throw new ArgumentException($"sentence {row} is null", nameof(sentences)))
            {
                if (id < 0 || id >= vocabularySize)
                    throw new ArgumentOutOfRangeException(nameof(sentences), $"sentence {row}: token ids must be between 0 and {vocabularySize - 1}, got {id}");
                counts[id]++;
            }
            row++;
        }
        var p = counts.Select(c => c == 0 ? 0 : alpha / (alpha + c)).ToArray();
        p[RnnMl.Text.Vocabulary.PaddingId] = p[RnnMl.Text.Vocabulary.UnknownId] = 0;
        return new WordDropoutByFrequency(alpha, p, device);
    }

    /// <summary>α.</summary>
    public double Alpha { get; }

    /// <summary>The probability that a training token with this id is replaced: α / (α + c), or 0 for padding, unknown and ids
    /// never seen in training.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is outside [0, V).</exception>
    public double ProbabilityOf(long id)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (id < 0 || id >= probabilities.Length)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"token ids must be between 0 and {probabilities.Length - 1}, got {id}");
        return probabilities[id];
    }

    /// <summary>A copy of <paramref name="tokens"/> in which each id was replaced by &lt;unk&gt; with its probability.</summary>
    /// <param name="tokens">Token ids of any shape, int64, each in [0, V), on the table's device.</param>
    /// <returns>A new tensor of the same shape.</returns>
    public Tensor Apply(Tensor tokens)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.dtype != ScalarType.Int64)
            throw new ArgumentException($"tokens must be int64, got {tokens.dtype}", nameof(tokens));
        using var scope = NewDisposeScope();
        if (tokens.numel() > 0)
        {
            long min = tokens.min().item<long>(), max = tokens.max().item<long>();
            if (min < 0 || max >= probabilities.Length)
                throw new ArgumentOutOfRangeException(nameof(tokens), $"token ids must be between 0 and {probabilities.Length - 1}, got {(min < 0 ? min : max)}");
        }
        var p = table.index_select(0, tokens.flatten()).view(tokens.shape);
        return tokens.masked_fill(rand(tokens.shape, device: tokens.device).lt(p), PinnedScalars.UnknownId).MoveToOuterDisposeScope();
    }

    /// <summary>Releases the probability table; afterwards every member throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        table.Dispose();
    }
}
