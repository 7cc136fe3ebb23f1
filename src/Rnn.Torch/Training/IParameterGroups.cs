namespace RnnMl.Torch.Training;

/// <summary>
/// Implemented by a training task whose parameters train in groups with their own learning-rate factors and unfreeze
/// epochs (<see cref="ParameterGroup"/>). <see cref="Trainer.Fit"/> then builds one optimizer group per group, sets
/// each group's rate to the schedule's rate times its factor at every step, and freezes a group (requires_grad off)
/// until its epoch; every group is trainable again when Fit returns.
/// </summary>
public interface IParameterGroups
{
    /// <summary>The groups, or null to train every parameter that requires grad as one group. Parameters that are in no
    /// group are not trained.</summary>
    IReadOnlyList<ParameterGroup>? ParameterGroups { get; }
}
