namespace RnnMl.Bench;

/// <summary>One line of the table: median milliseconds per iteration of each contender for one configuration and mode.</summary>
/// <param name="Config">The layer shape.</param>
/// <param name="Train">Forward + backward (true) or forward only under no_grad (false).</param>
/// <param name="Flops">FLOPs of one iteration (see <see cref="RecurrentConfig.ForwardFlops"/>; 3× forward when training).</param>
/// <param name="RawMs">TorchSharp's own module.</param>
/// <param name="FusedMs">Our layer, fused backend.</param>
/// <param name="ComposedMs">Our layer, composed backend.</param>
/// <param name="PaddedMs">Our fused layer on the padded batch without lengths (variable-length rows only).</param>
/// <param name="Rounds">Timed iterations of each contender behind the medians.</param>
internal sealed record RecurrentRow(RecurrentConfig Config, bool Train, double Flops, double RawMs, double FusedMs, double ComposedMs, double? PaddedMs, int Rounds)
{
    /// <summary>Throughput of fused relative to raw (raw time / fused time); above 1 means fused is faster.</summary>
    public double FusedVsRaw => RawMs / FusedMs;

    /// <summary>Throughput of composed relative to fused (fused time / composed time).</summary>
    public double ComposedVsFused => FusedMs / ComposedMs;
}
