using RnnMl.Torch.Layers;

namespace RnnMl.Torch.Models;

/// <summary>The shape of a <see cref="SequenceClassifier"/>; checked when the model is built.</summary>
public sealed record SequenceClassifierOptions
{
    /// <summary>Number of token ids the embedding covers (the vocabulary size, padding and unknown included); at least 2. Required.</summary>
    public int VocabularySize { get; init; }

    /// <summary>Number of classes; at least 2. Required.</summary>
    public int ClassCount { get; init; }

    /// <summary>Width of a token embedding; default 128.</summary>
    public int EmbeddingSize { get; init; } = 128;

    /// <summary>H, the recurrent hidden size; default 128.</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>L, stacked recurrent layers; default 1.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>Whether the encoder reads both ways; default true.</summary>
    public bool Bidirectional { get; init; } = true;

    /// <summary>The cell; default LSTM.</summary>
    public RecurrentCellKind Cell { get; init; } = RecurrentCellKind.Lstm;

    /// <summary>How outputs over time become one vector; default mean and max.</summary>
    public PoolingKind Pooling { get; init; } = PoolingKind.MeanMax;

    /// <summary>Dropout between stacked recurrent layers and on the pooled vector before the output layer, in training only; in [0, 1). Default 0.3.</summary>
    public double Dropout { get; init; } = 0.3;

    /// <summary>
    /// Embedding dropout: the probability of dropping a whole word type (every occurrence of a token id in a batch),
    /// in training only; in [0, 1). See <see cref="SequenceDropout.WordTypes"/>. Default 0.1.
    /// </summary>
    public double EmbeddingDropout { get; init; } = 0.1;

    /// <summary>
    /// Locked (variational) dropout on the encoder's input, one mask per sequence shared across time, in training only;
    /// in [0, 1). See <see cref="SequenceDropout.Locked"/>. Default 0.3.
    /// </summary>
    public double InputDropout { get; init; } = 0.3;

    /// <summary>
    /// Locked (variational) dropout on the encoder's output before pooling, one mask per sequence shared across time, in
    /// training only; in [0, 1). See <see cref="SequenceDropout.Locked"/>. With mean or max pooling the same mask acts
    /// on the pooled features (the same values: it commutes with both); <see cref="PoolingKind.Last"/> reads the final
    /// h, which it does not touch. Default 0.3.
    /// </summary>
    public double OutputDropout { get; init; } = 0.3;

    /// <summary>DropConnect on the encoder's hidden-to-hidden weights (<see cref="RecurrentLayerOptions.WeightDropout"/>:
    /// one mask per forward, shared across time, none in evaluation), in [0, 1). Default 0.</summary>
    public double WeightDropout { get; init; }

    /// <summary>Recurrent backend; default Auto (libtorch's fused kernels).</summary>
    public RecurrentBackend Backend { get; init; } = RecurrentBackend.Auto;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range; returns this.</summary>
    public SequenceClassifierOptions Validate()
    {
        if (VocabularySize < 2)
            throw new ArgumentOutOfRangeException(nameof(VocabularySize), VocabularySize, $"vocabulary size must be at least 2, got {VocabularySize}");
        if (ClassCount < 2)
            throw new ArgumentOutOfRangeException(nameof(ClassCount), ClassCount, $"class count must be at least 2, got {ClassCount}");
        if (EmbeddingSize < 1)
            throw new ArgumentOutOfRangeException(nameof(EmbeddingSize), EmbeddingSize, $"embedding size must be at least 1, got {EmbeddingSize}");
        if (!Enum.IsDefined(Pooling))
            throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, $"pooling must be Last, Mean, Max, MeanMax or Attention, got {Pooling}");
        if (!Enum.IsDefined(Cell))
            throw new ArgumentOutOfRangeException(nameof(Cell), Cell, $"cell must be Lstm, Gru, Rnn or RnnRelu, got {Cell}");
        foreach (var (name, value) in new[] { (nameof(EmbeddingDropout), EmbeddingDropout), (nameof(InputDropout), InputDropout), (nameof(OutputDropout), OutputDropout) })
            if (!(value >= 0 && value < 1))
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1), got {value}");
        new RecurrentLayerOptions(EmbeddingSize, HiddenSize, NumLayers, true, true, Dropout, Bidirectional, Backend, WeightDropout).Validate();
        ParameterBudget.Check(ParameterBudget.LowerBound(this), nameof(HiddenSize), $"hidden size {HiddenSize}, embedding size {EmbeddingSize}, vocabulary size {VocabularySize}, {NumLayers} layer(s)");
        return this;
    }
}
