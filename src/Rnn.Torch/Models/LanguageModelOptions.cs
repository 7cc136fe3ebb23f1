using RnnMl.Torch.Layers;

namespace RnnMl.Torch.Models;

/// <summary>The shape of a <see cref="LanguageModel"/>; checked when the model is built.</summary>
public sealed record LanguageModelOptions
{
    /// <summary>V, the number of token ids (padding, unknown and line break included); at least 2. Required.</summary>
    public int VocabularySize { get; init; }

    /// <summary>E, the width of a token embedding; at least 1. Default 64.</summary>
    public int EmbeddingSize { get; init; } = 64;

    /// <summary>H, the recurrent hidden size; at least 1. Default 256.</summary>
    public int HiddenSize { get; init; } = 256;

    /// <summary>L, stacked recurrent layers; at least 1. Default 1.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>The cell. Default LSTM.</summary>
    public RecurrentCellKind Cell { get; init; } = RecurrentCellKind.Lstm;

    /// <summary>Dropout on the embeddings, between recurrent layers and before the output layer, in training only; in [0, 1). Default 0.</summary>
    public double Dropout { get; init; } = 0.0;

    /// <summary>
    /// Share the embedding matrix with the output layer (Press &amp; Wolf, 2017), which needs
    /// <see cref="EmbeddingSize"/> = <see cref="HiddenSize"/>. Default false.
    /// </summary>
    public bool TieWeights { get; init; } = false;

    /// <summary>Recurrent backend. Default Auto (libtorch's fused kernels for the built-in cells).</summary>
    public RecurrentBackend Backend { get; init; } = RecurrentBackend.Auto;

    /// <summary>Throws an <see cref="ArgumentException"/>-family error naming the first option out of range; returns this.</summary>
    public LanguageModelOptions Validate()
    {
        if (VocabularySize < 2)
            throw new ArgumentOutOfRangeException(nameof(VocabularySize), VocabularySize, $"vocabulary size must be at least 2, got {VocabularySize}");
        if (EmbeddingSize < 1)
            throw new ArgumentOutOfRangeException(nameof(EmbeddingSize), EmbeddingSize, $"embedding size must be at least 1, got {EmbeddingSize}");
        if (!Enum.IsDefined(Cell))
            throw new ArgumentOutOfRangeException(nameof(Cell), Cell, $"cell must be Lstm, Gru, Rnn or RnnRelu, got {Cell}");
        if (TieWeights && EmbeddingSize != HiddenSize)
            throw new ArgumentException($"tied weights need the embedding size to equal the hidden size {HiddenSize}, got {EmbeddingSize}", nameof(TieWeights));
        new RecurrentLayerOptions(EmbeddingSize, HiddenSize, NumLayers, true, BatchFirst: true, Dropout, false, Backend).Validate();
        ParameterBudget.Check(ParameterBudget.LowerBound(this), nameof(HiddenSize), $"hidden size {HiddenSize}, embedding size {EmbeddingSize}, vocabulary size {VocabularySize}, {NumLayers} layer(s)");
        return this;
    }
}
