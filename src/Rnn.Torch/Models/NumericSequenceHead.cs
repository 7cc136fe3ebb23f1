namespace RnnMl.Torch.Models;

/// <summary>What a <see cref="NumericSequenceModel"/> predicts from a whole sequence, and so which loss trains it.</summary>
public enum NumericSequenceHead
{
    /// <summary>K real targets per sequence (<see cref="NumericSequenceOptions.Outputs"/> = K ≥ 1); squared-error loss.</summary>
    Regression,

    /// <summary>Scores of K classes (<see cref="NumericSequenceOptions.Outputs"/> = K ≥ 2); cross-entropy loss.</summary>
    Classification,
}
