using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Forecasting;

/// <summary>
/// A SegRNN-style forecaster (Lin et al., 2023), channel-independent: each channel of each window is its own sequence;
/// its L steps are cut into L/w segments of length w, each projected to the hidden size D, a GRU runs over the segments,
/// and a linear head maps the last hidden state to all H future steps at once (direct multi-step output).
/// </summary>
/// <remarks>
/// Input x (N, L, C), output ŷ (N, H, C), same scale as x. Per window and channel: z = x − x_L (or z-scored, see
/// <see cref="InstanceNormalization"/>), segments s_k = z[(k−1)w .. kw) (k = 1..L/w), e_k = ReLU(W_s s_k + b_s) ∈ ℝᴰ,
/// h_K = GRU(e_1..e_K), ŷ = W_o h_K + b_o ∈ ℝᴴ, then denormalised. Weights are shared by all channels, so a channel's
/// forecast does not depend on what the other channels hold. Parameters: <c>segment.*</c>, <c>gru.*</c>, <c>output.*</c>.
/// </remarks>
public sealed class SegmentRecurrentForecaster : nn.Module<Tensor, Tensor>
{
    private bool disposed;
    private readonly Linear segment;
    private readonly GRU gru;
    private readonly Dropout dropout;
    private readonly Linear output;
    private readonly InstanceNormalization normalization;

    private SegmentRecurrentForecaster(int lookback, int horizon, int segmentLength, int hiddenSize, double dropoutRate,
        InstanceNormalization normalization, Device? device) : base(nameof(SegmentRecurrentForecaster))
    {
        Lookback = lookback;
        Horizon = horizon;
        SegmentLength = segmentLength;
        HiddenSize = hiddenSize;
        this.normalization = normalization;
        segment = nn.Linear(segmentLength, hiddenSize, device: device);
        gru = nn.GRU(hiddenSize, hiddenSize, batchFirst: true, device: device);
        dropout = nn.Dropout(dropoutRate);
        output = nn.Linear(hiddenSize, horizon, device: device);
        register_module("segment", segment);
        register_module("gru", gru);
        register_module("dropout", dropout);
        register_module("output", output);
    }

    /// <summary>L, input steps.</summary>
    public int Lookback { get; }

    /// <summary>H, forecast steps.</summary>
    public int Horizon { get; }

    /// <summary>w, steps per segment (divides L).</summary>
    public int SegmentLength { get; }

    /// <summary>D, the GRU's hidden size.</summary>
    public int HiddenSize { get; }

    /// <summary>Creates a forecaster with fresh parameters (seed torch first for repeatable weights).</summary>
    /// <param name="lookback">L ≥ 1.</param>
    /// <param name="horizon">H ≥ 1.</param>
    /// <param name="segmentLength">w ≥ 1, dividing L.</param>
    /// <param name="hiddenSize">D ≥ 1.</param>
    /// <param name="dropout">Dropout on the last hidden state during training, in [0, 1); default 0.</param>
    /// <param name="normalization">Per-window normalisation; default subtract-last (<see cref="InstanceNormalization.Create"/>).</param>
    /// <param name="device">Where the parameters live; default CPU.</param>
    public static SegmentRecurrentForecaster Create(int lookback, int horizon, int segmentLength, int hiddenSize,
        double dropout = 0, InstanceNormalization? normalization = null, Device? device = null)
    {
        if (lookback < 1) throw new ArgumentOutOfRangeException(nameof(lookback), lookback, "lookback L must be ≥ 1");
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "horizon H must be ≥ 1");
        if (segmentLength < 1 || lookback % segmentLength != 0)
            throw new ArgumentOutOfRangeException(nameof(segmentLength), segmentLength, $"segment length w must be ≥ 1 and divide lookback L = {lookback}");
        if (hiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "hidden size must be ≥ 1");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "must be in [0, 1)");
        return new SegmentRecurrentForecaster(lookback, horizon, segmentLength, hiddenSize, dropout,
            normalization ?? InstanceNormalization.Create(), device);
    }

    /// <summary>Forecasts all H steps of every channel.</summary>
    /// <param name="x">(N, L, C) float32 windows, oldest step first.</param>
    /// <returns>(N, H, C) forecasts.</returns>
    /// <exception cref="ArgumentException">x is not 3-D, not floating point, or its L differs from <see cref="Lookback"/>.</exception>
    public override Tensor forward(Tensor x)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 3) throw new ArgumentException($"x must be 3-D (N, L, C), got {x.dim()}-D", nameof(x));
        if (x.shape[1] != Lookback) throw new ArgumentException($"x has L = {x.shape[1]} steps, the model takes L = {Lookback}", nameof(x));
        long n = x.shape[0], c = x.shape[2];
        using var scope = NewDisposeScope();
        var (z, offset, scale) = normalization.Normalize(x);
        // (N, L, C) → (N, C, L) → (N·C, L/w, w)
        var segments = z.permute(0, 2, 1).reshape(n * c, Lookback / SegmentLength, SegmentLength);
        var embedded = nn.functional.relu(segment.call(segments));
        var (_, hidden) = gru.call(embedded);
        var y = output.call(dropout.call(hidden[-1]));            // (N·C, H)
        y = y.reshape(n, c, Horizon).permute(0, 2, 1);             // (N, H, C)
        return normalization.Denormalize(y, offset, scale).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        disposed = true;
        base.Dispose(disposing);
    }
}
