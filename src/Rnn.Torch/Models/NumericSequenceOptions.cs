using RnnMl.Torch.Layers;

namespace RnnMl.Torch.Models;

/// <summary>The shape of a <see cref="NumericSequenceModel"/>; checked when the model is built.</summary>
public sealed record NumericSequenceOptions
{
    /// <summary>F, the features per time step; at least 1. Required.</summary>
    public int FeaturesPerStep { get; init; }

    /// <summary>K: regression targets (at least 1) or classes (at least 2). Required.</summary>
    public int Outputs { get; init; }

    /// <summary>Regression or classification; default regression.</summary>
    public NumericSequenceHead Head { get; init; } = NumericSequenceHead.Regression;

    /// <summary>E, the width of the linear input projection (F → E) that takes the place of an embedding; default 32.</summary>
    public int ProjectionSize { get; init; } = 32;

    /// <summary>H, the recurrent hidden size; default 64.</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>L, stacked recurrent layers; default 1.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>Whether the encoder reads both ways; default false.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>The cell; default GRU.</summary>
    public RecurrentCellKind Cell { get; init; } = RecurrentCellKind.Gru;

    /// <summary>How outputs over time become one vector (Last, Mean, Max or MeanMax; not Attention); default Last.</summary>
    public PoolingKind Pooling { get; init; } = PoolingKind.Last;

    /// <summary>Dropout between stacked layers and on the pooled vector, in training only; in [0, 1). Default 0.</summary>
    public double Dropout { get; init; }

    /// <summary>Recurrent backend; default Auto.</summary>
    public RecurrentBackend Backend { get; init; } = RecurrentBackend.Auto;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range; returns this.</summary>
    public NumericSequenceOptions Validate()
    {
        if (FeaturesPerStep < 1)
            throw new ArgumentOutOfRangeException(nameof(FeaturesPerStep), FeaturesPerStep, $"features per step must be at least 1, got {FeaturesPerStep}");
        if (!Enum.IsDefined(Head))
            throw new ArgumentOutOfRangeException(nameof(Head), Head, $"head must be Regression or Classification, got {Head}");
        int least = Head == NumericSequenceHead.Classification ? 2 : 1;
        if (Outputs < least)
            throw new ArgumentOutOfRangeException(nameof(Outputs), Outputs, $"outputs must be at least {least} for {Head}, got {Outputs}");
        if (ProjectionSize < 1)
            throw new ArgumentOutOfRangeException(nameof(ProjectionSize), ProjectionSize, $"projection size must be at least 1, got {ProjectionSize}");
        if (!Enum.IsDefined(Cell))
            throw new ArgumentOutOfRangeException(nameof(Cell), Cell, $"cell must be Lstm, Gru, Rnn or RnnRelu, got {Cell}");
        if (Pooling is not (PoolingKind.Last or PoolingKind.Mean or PoolingKind.Max or PoolingKind.MeanMax))
            throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, $"pooling must be Last, Mean, Max or MeanMax, got {Pooling}");
        new RecurrentLayerOptions(ProjectionSize, HiddenSize, NumLayers, true, true, Dropout, Bidirectional, Backend).Validate();
        ParameterBudget.Check(ParameterBudget.LowerBound(this), nameof(HiddenSize), $"hidden size {HiddenSize}, projection size {ProjectionSize}, features per step {FeaturesPerStep}, {NumLayers} layer(s)");
        return this;
    }
}
