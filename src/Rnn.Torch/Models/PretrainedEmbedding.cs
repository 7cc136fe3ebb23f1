using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Models;

/// <summary>
/// Starts a token embedding table from pretrained vectors; shared by every model whose embedding can take them
/// (<see cref="SequenceClassifier.InitializeEmbedding"/>, <see cref="SequenceTagger.InitializeEmbedding"/>).
/// </summary>
internal static class PretrainedEmbedding
{
    /// <summary>
    /// Sets the given rows of <paramref name="embedding"/> (V, E); every other row but padding is drawn afresh from
    /// N(0, σ²), σ the standard deviation of the given values (when there are at least two); the padding row stays 0.
    /// </summary>
    /// <returns>The number of rows set.</returns>
    /// <exception cref="ArgumentException">An id is out of [1, V) or a vector's length is not E; the message names the id.</exception>
    public static int Initialize(Embedding embedding, int vocabularySize, int embeddingSize, IReadOnlyDictionary<int, float[]> rows, bool freeze)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int e = embeddingSize;
        var ids = rows.Keys.OrderBy(i => i).ToArray();
        var values = new float[ids.Length * e];
        for (int k = 0; k < ids.Length; k++)
        {
            int id = ids[k];
            if (id <= RnnMl.Text.Vocabulary.PaddingId || id >= vocabularySize)
                throw new ArgumentOutOfRangeException(nameof(rows), $"token id {id} must be between 1 and {vocabularySize - 1}");
            var vector = rows[id] ?? throw new ArgumentException($"the vector of token id {id} is null", nameof(rows));
            if (vector.Length != e)
                throw new ArgumentException($"the vector of token id {id} has {vector.Length} values, expected the embedding size {e}", nameof(rows));
            Array.Copy(vector, 0, values, k * e, e);
        }
        var weight = embedding.weight!;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            if (values.Length >= 2)
            {
                double mean = values.Average(v => (double)v);
                double sigma = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
                weight.normal_(0, sigma > 0 ? sigma : 1);
                weight[RnnMl.Text.Vocabulary.PaddingId].zero_();
            }
            if (ids.Length > 0)
            {
                var index = tensor(ids.Select(i => (long)i).ToArray(), ScalarType.Int64, weight.device);
                var source = tensor(values, new long[] { ids.Length, e }, ScalarType.Float32, weight.device).to(weight.dtype);
                weight.index_copy_(0, index, source);
            }
        }
        if (freeze) weight.requires_grad = false;
        return ids.Length;
    }
}
