using TorchSharp.Modules;

namespace RnnMl.Torch.Training;

/// <summary>
/// Parameters trained together at their own learning rate and from their own epoch: the unit of discriminative learning
/// rates and gradual unfreezing (ULMFiT, Howard &amp; Ruder 2018). A task offers its groups through <see cref="IParameterGroups"/>.
/// </summary>
/// <param name="Name">What the group is (for messages), e.g. "embedding", "encoder layer 0", "head".</param>
/// <param name="Parameters">Its parameters; each in one group only.</param>
/// <param name="LearningRateFactor">The group's rate is the schedule's rate times this factor; positive. Default 1.</param>
/// <param name="UnfreezeEpoch">The first (0-based) epoch in which the group trains; before it the group is frozen (no
/// gradient, no optimizer step, no change). At least 0. Default 0.</param>
public sealed record ParameterGroup(string Name, IReadOnlyList<Parameter> Parameters, double LearningRateFactor = 1, int UnfreezeEpoch = 0)
{
    /// <summary>Throws an <see cref="ArgumentException"/>-family error naming the group and the bad value; returns this.</summary>
    public ParameterGroup Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
            throw new ArgumentException($"a parameter group needs a name, got '{Name}'", nameof(Name));
        if (Parameters is null || Parameters.Count == 0)
            throw new ArgumentException($"parameter group '{Name}' must hold parameters, got none", nameof(Parameters));
        if (!(LearningRateFactor > 0) || double.IsInfinity(LearningRateFactor))
            throw new ArgumentOutOfRangeException(nameof(LearningRateFactor), LearningRateFactor, $"parameter group '{Name}': the learning-rate factor must be positive and finite, got {LearningRateFactor}");
        if (UnfreezeEpoch < 0)
            throw new ArgumentOutOfRangeException(nameof(UnfreezeEpoch), UnfreezeEpoch, $"parameter group '{Name}': the unfreeze epoch must be at least 0, got {UnfreezeEpoch}");
        return this;
    }
}
