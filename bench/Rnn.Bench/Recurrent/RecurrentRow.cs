using RnnMl.Torch.Layers;

namespace RnnMl.Bench;

/// <summary>One line of the table: median milliseconds per iteration of each contender for one configuration and mode.</summary>
/// <param name="Config">The layer shape.</param>
/// <param name="Train">Forward + backward (true) or forward only under no_grad (false).</param>
/// <param name="Flops">FLOPs of one iteration (see <see cref="RecurrentConfig.ForwardFlops"/>; 3× forward when training).</param>
/// <param name="RawMs">TorchSharp's own module.</param>
/// <param name="FusedMs">Our layer, fused backend.</param>
/// <param name="ComposedMs">Our layer, composed backend.</param>
/// <param name="RaggedMs">Our layer, fused-ragged backend with lengths (variable-length rows only).</param>
/// <param name="PaddedMs">Our fused layer on the padded batch without lengths (variable-length rows only).</param>
/// <param name="GemmMs">Our layer, composed-gemm backend (LSTM rows only).</param>
/// <param name="Rounds">Timed iterations of each contender behind the medians.</param>
/// <param name="Auto">The backend <see cref="RecurrentBackend.Auto"/> runs for this row.</param>
internal sealed record RecurrentRow(RecurrentConfig Config, bool Train, double Flops, double RawMs, double FusedMs, double ComposedMs,
    double? RaggedMs, double? PaddedMs, double? GemmMs, int Rounds, RecurrentBackend Auto)
{
    /// <summary>The fastest of our exact backends (fused, composed, and fused-ragged and composed-gemm when measured): its name and time.</summary>
    public (RecurrentBackend Backend, double Ms) Best
    {
        get
        {
            var best = (RecurrentBackend.Fused, FusedMs);
            if (ComposedMs < best.FusedMs) best = (RecurrentBackend.Composed, ComposedMs);
            if (RaggedMs is { } r && r < best.Item2) best = (RecurrentBackend.FusedRagged, r);
            if (GemmMs is { } g && g < best.Item2) best = (RecurrentBackend.ComposedGemm, g);
            return best;
        }
    }

    /// <summary>Time of the backend Auto picked (fused-ragged equals fused on full-length rows).</summary>
    public double AutoMs => Auto switch
    {
        RecurrentBackend.Composed => ComposedMs,
        RecurrentBackend.FusedRagged => RaggedMs ?? FusedMs,
        RecurrentBackend.ComposedGemm => GemmMs ?? double.NaN,
        _ => FusedMs,
    };

    /// <summary>Auto's throughput relative to the fastest exact backend (best time / Auto's time); 1 when Auto picked it.</summary>
    public double AutoVsBest => Best.Ms / AutoMs;

    /// <summary>Throughput of fused relative to raw (raw time / fused time); above 1 means fused is faster.</summary>
    public double FusedVsRaw => RawMs / FusedMs;

    /// <summary>Throughput of composed relative to fused (fused time / composed time).</summary>
    public double ComposedVsFused => FusedMs / ComposedMs;
}
