namespace RnnMl.Torch.Tests.Training;

/// <summary>
/// Tests that seed torch's process-wide generator and expect bit-exact results run alone: another test drawing from
/// that generator in parallel (dropout, randn) would change what they draw.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchRandomCollection
{
    public const string Name = "Global torch random generator";
}
