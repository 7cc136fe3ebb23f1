using RnnMl.Torch.Layers;

namespace RnnMl.Torch.Models;

/// <summary>
/// How many parameters a model's options imply, computed without allocating anything, and the ceiling every model is
/// checked against before its tensors are created (in each options class's <c>Validate</c>), so that a hidden, embedding
/// or vocabulary size that cannot fit fails with a message stating the count and the bytes instead of a libtorch
/// allocation error deep inside <c>Fit</c> or <c>LoadRnnModel</c>.
/// </summary>
/// <remarks>
/// The count is a lower bound: the embedding matrices, every recurrent weight matrix (g·H × input and g·H × H per layer and
/// direction, g = 4 for LSTM, 3 for GRU, 1 for a plain RNN), attention pooling, the seq2seq bridge and combine matrices, and
/// the output matrix; biases and attention-score layers are left out. It is within a few percent of the real count for typical shapes (tests/Rnn.Torch.Tests ParameterBudgetTests).
/// </remarks>
public static class ParameterBudget
{
    /// <summary>The most parameters a model may have: 250 million (1 GB as float32).</summary>
    public const long MaxParameters = 250_000_000;

    /// <summary>Bytes per parameter as models are trained and saved (float32).</summary>
    public const int BytesPerParameter = 4;

    /// <summary>A lower bound on the parameters of a <see cref="SequenceClassifier"/> with these options.</summary>
    /// <param name="o">The options (ranges not checked here).</param>
    public static long LowerBound(SequenceClassifierOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        int d = o.Bidirectional ? 2 : 1;
        long encoded = (long)d * o.HiddenSize;
        return (long)o.VocabularySize * o.EmbeddingSize + Recurrent(o.Cell, o.EmbeddingSize, o.HiddenSize, o.NumLayers, d)
            + (o.Pooling == PoolingKind.Attention ? encoded * encoded + encoded : 0)
            + (long)o.ClassCount * encoded * (o.Pooling == PoolingKind.MeanMax ? 2 : 1);
    }

    /// <summary>A lower bound on the parameters of a <see cref="LanguageModel"/> with these options.</summary>
    /// <param name="o">The options (ranges not checked here).</param>
    public static long LowerBound(LanguageModelOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return (long)o.VocabularySize * o.EmbeddingSize + Recurrent(o.Cell, o.EmbeddingSize, o.HiddenSize, o.NumLayers, 1)
            + (o.TieWeights ? o.VocabularySize : (long)o.HiddenSize * o.VocabularySize);
    }

    /// <summary>A lower bound on the parameters of a <see cref="SequenceTagger"/> with these options.</summary>
    /// <param name="o">The options (ranges not checked here).</param>
    public static long LowerBound(SequenceTaggerOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        int d = o.Bidirectional ? 2 : 1;
        long characters = o.HasCharacterEncoder
            ? (long)o.CharacterVocabularySize * o.CharacterEmbeddingSize + (o.CharacterEncoder == CharacterEncoderKind.Cnn
                ? 2L * o.CharacterHiddenSize * (CharacterWordEncoder.Window * (long)o.CharacterEmbeddingSize + 1)
                : Recurrent(RecurrentCellKind.Lstm, o.CharacterEmbeddingSize, o.CharacterHiddenSize, 1, 2))
            : 0;
        return (long)o.VocabularySize * o.EmbeddingSize + characters + (long)RnnMl.Text.Tagging.TokenCasing.Count * o.CasingEmbeddingSize + Recurrent(o.Cell, o.TokenFeatureSize, o.HiddenSize, o.NumLayers, d)
            + (long)o.TagCount * d * o.HiddenSize + (o.UseCrf ? (long)o.TagCount * o.TagCount : 0);
    }

    /// <summary>A lower bound on the parameters of a <see cref="Seq2SeqModel"/> with these options.</summary>
    /// <param name="o">The options (ranges not checked here).</param>
    public static long LowerBound(Seq2SeqOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        long e = (long)o.Directions * o.HiddenSize, q = o.DecoderHiddenSize ?? e;
        bool attends = o.Attention != AttentionKind.None;
        long decoderInput = o.EmbeddingSize + (o.Attention == AttentionKind.Bahdanau ? e : 0) + (o.InputFeeding ? q : 0);
        return ((long)o.SourceVocabularySize + o.TargetVocabularySize) * o.EmbeddingSize
            + Recurrent(o.EncoderCell, o.EmbeddingSize, o.HiddenSize, o.EncoderLayers, o.Directions)
            + Recurrent(o.DecoderCell, decoderInput, q, o.DecoderLayers, 1)
            + e * o.DecoderLayers * q * (o.DecoderCell == RecurrentCellKind.Lstm ? 2 : 1)
            + (attends ? (e + q) * q : 0)
            + (o.TieEmbeddings ? (q == o.EmbeddingSize ? 0 : q * o.EmbeddingSize) + o.TargetVocabularySize : q * o.TargetVocabularySize);
    }

    /// <summary>A lower bound on the parameters of a <see cref="NumericSequenceModel"/> with these options.</summary>
    /// <param name="o">The options (ranges not checked here).</param>
    public static long LowerBound(NumericSequenceOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        int d = o.Bidirectional ? 2 : 1;
        long encoded = (long)d * o.HiddenSize;
        return (long)o.FeaturesPerStep * o.ProjectionSize + Recurrent(o.Cell, o.ProjectionSize, o.HiddenSize, o.NumLayers, d)
            + (long)o.Outputs * encoded * (o.Pooling == PoolingKind.MeanMax ? 2 : 1);
    }

    /// <summary>Throws unless <paramref name="parameters"/> is within <see cref="MaxParameters"/>.</summary>
    /// <param name="parameters">The parameter count (a lower bound is enough).</param>
    /// <param name="paramName">The option to name, e.g. "HiddenSize".</param>
    /// <param name="sizes">The sizes that led to the count, for the message (e.g. "hidden 100000, embedding 128, vocabulary 5000").</param>
    /// <exception cref="ArgumentOutOfRangeException">The count is above the ceiling; the message states it in parameters and bytes.</exception>
    public static void Check(long parameters, string paramName, string sizes)
    {
        if (parameters > MaxParameters)
            throw new ArgumentOutOfRangeException(paramName, parameters,
                $"the model would have at least {parameters:N0} parameters ({parameters * (double)BytesPerParameter / 1e9:F1} GB as float32, " +
                $"{parameters * BytesPerParameter:N0} bytes) with {sizes}; the ceiling is {MaxParameters:N0} parameters ({MaxParameters * BytesPerParameter / 1e9:F1} GB)");
    }

    private static long Recurrent(RecurrentCellKind cell, long input, long hidden, int layers, int directions)
    {
        long gates = cell switch { RecurrentCellKind.Lstm => 4, RecurrentCellKind.Gru => 3, _ => 1 };
        long first = directions * gates * hidden * (input + hidden);
        long rest = Math.Max(0, layers - 1) * directions * gates * hidden * (directions * hidden + hidden);
        return first + rest;
    }
}
