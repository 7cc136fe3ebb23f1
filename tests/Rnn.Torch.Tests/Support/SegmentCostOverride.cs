using RnnMl.Torch.Layers;

namespace RnnMl.Torch.Tests.Support;

/// <summary>Sets <see cref="RaggedSegments.CallCostOverride"/> and <see cref="RaggedSegments.ReplayCostOverride"/> for
/// one test and clears both when disposed: the overrides are thread-static, so a test that forces many segments must not
/// leave them set for the next test on its thread.</summary>
internal sealed class SegmentCostOverride : IDisposable
{
    /// <param name="callCost">Replaces <see cref="RaggedSegments.CallCostRowSteps"/>.</param>
    /// <param name="replayCost">Replaces <see cref="RaggedSegments.ReplayCostRowSteps"/>; null for the library's own.</param>
    public SegmentCostOverride(double callCost, double? replayCost = null)
    {
        RaggedSegments.CallCostOverride = callCost;
        RaggedSegments.ReplayCostOverride = replayCost;
    }

    /// <summary>Back to the library's own costs.</summary>
    public void Dispose()
    {
        RaggedSegments.CallCostOverride = null;
        RaggedSegments.ReplayCostOverride = null;
    }
}
