namespace RnnMl.Torch.Forecasting;

/// <summary>How a <see cref="SegmentRecurrentForecaster"/> produces its H forecast steps.</summary>
public enum ForecastOutputMode
{
    /// <summary>All H steps at once from the GRU's last hidden state (direct multi-step output).</summary>
    Direct = 0,

    /// <summary>One segment of w steps at a time: the head forecasts the next w steps from the hidden state, the point
    /// forecast of those steps is fed back to the GRU as its next segment, and so on for ⌈H/w⌉ segments (cut to H).
    /// With w = 1 it forecasts one step at a time; with H ≤ w it is the direct output.</summary>
    Recursive = 1,
}
