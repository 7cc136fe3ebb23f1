using RnnMl.Torch.Layers;

namespace RnnMl.MLNet.NumericSequence;

/// <summary>
/// Options of the recurrent numeric-sequence trainers (<c>RecurrentNumericSequence</c> on the regression, binary and
/// multiclass catalogs): each row's <c>Vector&lt;Single&gt;</c> features column holds a whole sequence of T steps of
/// <see cref="FeaturesPerStep"/> = F values (step-major; T may differ between rows), read by a
/// <see cref="NumericSequenceModel"/> (linear projection F → E, recurrent encoder, pooling, linear head). Every default is
/// stated: GRU, hidden size 64, projection 32, one layer, forward only, last-step pooling, dropout 0, up to 30 epochs,
/// learning rate 0.003, batch 32, prediction batch 256, validation fraction 0.1 (random rows), early stopping after 5
/// epochs without a better validation score (accuracy for classification, loss for regression).
/// </summary>
/// <remarks>
/// Each feature f is standardised with the training rows' mean μ_f and population std σ_f over all their steps (σ below
/// 1e-8 becomes 1, so a constant feature maps to 0); the regression label likewise, its score un-standardised after the
/// model. The means and stds are stored with the model and applied in <c>Transform</c> and in the exported ONNX graph.
/// </remarks>
public sealed class RecurrentNumericSequenceOptions : RecurrentTrainingOptions
{
    /// <summary>Options with the stated defaults.</summary>
    public RecurrentNumericSequenceOptions()
    {
        TaskDefaults(epochs: 30, learningRate: 3e-3, batchSize: 32, predictionBatchSize: 256, validationFraction: 0.1, hiddenSize: 64, dropout: 0);
        Cell = RecurrentCellKind.Gru;
        EarlyStoppingPatience = 5;
    }

    /// <summary>The input column: <c>Vector&lt;Single&gt;</c> of T·F values, variable or fixed size. Default "Features".</summary>
    public string FeaturesColumnName { get; set; } = "Features";

    /// <summary>The label column: Single (regression), Boolean (binary) or a key (multiclass). Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>F, the values per time step; a row's length must be a positive multiple of it. At least 1. Default 1.</summary>
    public int FeaturesPerStep { get; set; } = 1;

    /// <summary>What a NaN or ±∞ feature value does: an error naming the row, step and feature (default), or
    /// <see cref="MissingValuePolicy.ForwardFill"/> (the same feature's value at the previous step; step 0 cannot be filled).</summary>
    public MissingValuePolicy MissingValues { get; set; } = MissingValuePolicy.Error;

    /// <summary>E, the width of the linear input projection F → E. Default 32.</summary>
    public int ProjectionSize { get; set; } = 32;

    /// <summary>Read the sequence both ways. Default false.</summary>
    public bool Bidirectional { get; set; }

    /// <summary>How the outputs over time become one vector (Last, Mean, Max, MeanMax). Default Last.</summary>
    public PoolingKind Pooling { get; set; } = PoolingKind.Last;

    /// <summary>The output score column. Default "Score".</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The output probability column (binary only). Default "Probability".</summary>
    public string ProbabilityColumnName { get; set; } = "Probability";

    /// <summary>The output predicted-label column (classification only). Default "PredictedLabel".</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>The task, set by the catalog method that created the trainer.</summary>
    internal NumericSequenceTask Task { get; set; }

    /// <summary>Throws an <see cref="ArgumentException"/>-family error naming the first bad option and its value.</summary>
    public override void Validate()
    {
        RequireColumns((nameof(FeaturesColumnName), FeaturesColumnName), (nameof(LabelColumnName), LabelColumnName),
            (nameof(ScoreColumnName), ScoreColumnName), (nameof(ProbabilityColumnName), ProbabilityColumnName), (nameof(PredictedLabelColumnName), PredictedLabelColumnName));
        if (FeaturesPerStep < 1)
            throw new ArgumentOutOfRangeException(nameof(FeaturesPerStep), FeaturesPerStep, $"features per step must be at least 1, got {FeaturesPerStep}");
        if (!Enum.IsDefined(MissingValues))
            throw new ArgumentOutOfRangeException(nameof(MissingValues), MissingValues, $"missing values must be Error or ForwardFill, got {MissingValues}");
        ModelOptions(2, NumericSequenceHead.Classification).Validate();
        ValidateShared();
    }

    /// <summary>Accuracy picks the best epoch of a classifier, the validation loss that of a regressor.</summary>
    private protected override string? SelectionMetric => Task == NumericSequenceTask.Regression ? null : "accuracy";

    internal NumericSequenceOptions ModelOptions(int outputs, NumericSequenceHead head) => new()
    {
        FeaturesPerStep = FeaturesPerStep,
        Outputs = outputs,
        Head = head,
        ProjectionSize = ProjectionSize,
        HiddenSize = HiddenSize,
        NumLayers = NumLayers,
        Bidirectional = Bidirectional,
        Cell = Cell,
        Pooling = Pooling,
        Dropout = Dropout,
        Backend = Backend,
    };
}
