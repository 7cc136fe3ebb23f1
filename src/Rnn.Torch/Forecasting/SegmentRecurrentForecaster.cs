using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Forecasting;

/// <summary>
/// A SegRNN-style forecaster (Lin et al., 2023), channel-independent: each channel of each window is its own sequence;
/// its L steps are cut into L/w segments of length w, each projected to the hidden size D, a GRU runs over the segments,
/// and a linear head maps the last hidden state to all H future steps at once (direct multi-step output). Optionally a
/// quantile head gives Q quantile forecasts per step (an interval for every forecast), trained with
/// <see cref="QuantileLoss.Pinball"/>, and a linear skip path adds a direct linear map of the L normalised inputs.
/// </summary>
/// <remarks>
/// Input x (N, L, C), output ŷ (N, H, C), same scale as x. Per window and channel: z = x − x_L (or z-scored, see
/// <see cref="InstanceNormalization"/>), segments s_k = z[(k−1)w .. kw) (k = 1..L/w), e_k = ReLU(W_s s_k + b_s) ∈ ℝᴰ,
/// h_K = GRU(e_1..e_K), ŷ = W_o h_K + b_o ∈ ℝᴴ (+ W_k z ∈ ℝᴴ with the linear skip), then denormalised. Weights are
/// shared by all channels, so a channel's forecast does not depend on what the other channels hold.
/// With Q quantile levels τ_1 &lt; … &lt; τ_Q the head also gives q_j = W_{q,j} h_K + b_{q,j} ∈ ℝᴴ (+ the same skip term),
/// denormalised like ŷ (scale &gt; 0, so their order is kept). The point forecast ŷ stays a separate output, so it can be
/// trained on the squared error while the quantiles are trained on the pinball loss. Nothing forces q_1 ≤ … ≤ q_Q; the
/// pinball loss makes a trained model order them.
/// Parameters: <c>segment.*</c>, <c>gru.*</c>, <c>output.*</c> (D → H·(1 + Q)), <c>skip.*</c> with the linear skip.
/// </remarks>
public sealed class SegmentRecurrentForecaster : nn.Module<Tensor, Tensor>
{
    private bool disposed;
    private readonly Linear segment;
    private readonly GRU gru;
    private readonly Dropout dropout;
    private readonly Linear output;
    private readonly Linear? skip;
    private readonly InstanceNormalization normalization;
    private readonly double[] quantiles;

    private SegmentRecurrentForecaster(int lookback, int horizon, int segmentLength, int hiddenSize, double dropoutRate,
        InstanceNormalization normalization, double[] quantiles, bool linearSkip, Device? device) : base(nameof(SegmentRecurrentForecaster))
    {
        Lookback = lookback;
        Horizon = horizon;
        SegmentLength = segmentLength;
        HiddenSize = hiddenSize;
        this.normalization = normalization;
        this.quantiles = quantiles;
        segment = nn.Linear(segmentLength, hiddenSize, device: device);
        gru = nn.GRU(hiddenSize, hiddenSize, batchFirst: true, device: device);
        dropout = nn.Dropout(dropoutRate);
        output = nn.Linear(hiddenSize, horizon * (1 + quantiles.Length), device: device);
        register_module("segment", segment);
        register_module("gru", gru);
        register_module("dropout", dropout);
        register_module("output", output);
        if (linearSkip)
        {
            skip = nn.Linear(lookback, horizon, hasBias: false, device: device);
            using (no_grad()) skip.weight!.zero_();
            register_module("skip", skip);
        }
    }

    /// <summary>L, input steps.</summary>
    public int Lookback { get; }

    /// <summary>H, forecast steps.</summary>
    public int Horizon { get; }

    /// <summary>w, steps per segment (divides L).</summary>
    public int SegmentLength { get; }

    /// <summary>D, the GRU's hidden size.</summary>
    public int HiddenSize { get; }

    /// <summary>The quantile levels τ_1 &lt; … &lt; τ_Q of the quantile head; empty without one.</summary>
    public IReadOnlyList<double> Quantiles => quantiles;

    /// <summary>Whether a linear map of the L normalised inputs is added to every output (starts at zero).</summary>
    public bool LinearSkip => skip is not null;

    /// <summary>The per-window normalisation.</summary>
    public InstanceNormalization Normalization => normalization;

    /// <summary>The segment projection w → D (<c>segment.*</c>), e.g. for export.</summary>
    /// <exception cref="ObjectDisposedException">The model has been disposed (likewise for the other modules).</exception>
    public Linear SegmentProjection => Live(segment);

    /// <summary>The one-layer, forward GRU D → D over the segments (<c>gru.*</c>), e.g. for export.</summary>
    public GRU Recurrent => Live(gru);

    /// <summary>The output head D → H·(1 + Q) (<c>output.*</c>): the point forecast's H values, then H per quantile level.</summary>
    public Linear Head => Live(output);

    /// <summary>The linear skip L → H without bias (<c>skip.*</c>), or null without one.</summary>
    public Linear? Skip => disposed ? throw new ObjectDisposedException(nameof(SegmentRecurrentForecaster)) : skip;

    /// <summary>Creates a forecaster with fresh parameters (seed torch first for repeatable weights).</summary>
    /// <param name="lookback">L ≥ 1.</param>
    /// <param name="horizon">H ≥ 1.</param>
    /// <param name="segmentLength">w ≥ 1, dividing L.</param>
    /// <param name="hiddenSize">D ≥ 1.</param>
    /// <param name="dropout">Dropout on the last hidden state during training, in [0, 1); default 0.</param>
    /// <param name="normalization">Per-window normalisation; default subtract-last (<see cref="InstanceNormalization.Create"/>).</param>
    /// <param name="quantiles">Levels of the quantile head, each in (0, 1), strictly increasing (e.g. 0.05, 0.5, 0.95 for a
    /// 90 % interval); default none.</param>
    /// <param name="linearSkip">Add a linear map L → H of the normalised inputs (initialised to zero); default false.</param>
    /// <param name="device">Where the parameters live; default CPU.</param>
    public static SegmentRecurrentForecaster Create(int lookback, int horizon, int segmentLength, int hiddenSize,
        double dropout = 0, InstanceNormalization? normalization = null, IReadOnlyList<double>? quantiles = null,
        bool linearSkip = false, Device? device = null)
    {
        if (lookback < 1) throw new ArgumentOutOfRangeException(nameof(lookback), lookback, "lookback L must be ≥ 1");
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "horizon H must be ≥ 1");
        if (segmentLength < 1 || lookback % segmentLength != 0)
            throw new ArgumentOutOfRangeException(nameof(segmentLength), segmentLength, $"segment length w must be ≥ 1 and divide lookback L = {lookback}");
        if (hiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "hidden size must be ≥ 1");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "must be in [0, 1)");
        var levels = quantiles is null ? [] : QuantileLoss.CheckLevels(quantiles, nameof(quantiles));
        return new SegmentRecurrentForecaster(lookback, horizon, segmentLength, hiddenSize, dropout,
            normalization ?? InstanceNormalization.Create(), levels, linearSkip, device);
    }

    /// <summary>Forecasts all H steps of every channel (the point forecast).</summary>
    /// <param name="x">(N, L, C) float32 windows, oldest step first.</param>
    /// <returns>(N, H, C) forecasts.</returns>
    /// <exception cref="ArgumentException">x is not 3-D, not floating point, or its L differs from <see cref="Lookback"/>.</exception>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (point, _) = Run(x, withQuantiles: false);
        return point.MoveToOuterDisposeScope();
    }

    /// <summary>Forecasts all H steps of every channel with the quantile head.</summary>
    /// <param name="x">(N, L, C) float32 windows, oldest step first.</param>
    /// <returns>The point forecast (N, H, C) and the quantile forecasts (N, H, C, Q), Q = <see cref="Quantiles"/>.Count.</returns>
    /// <exception cref="InvalidOperationException">The model has no quantile head.</exception>
    /// <exception cref="ArgumentException">As <see cref="forward"/>.</exception>
    public (Tensor Point, Tensor Quantiles) ForecastWithQuantiles(Tensor x)
    {
        if (quantiles.Length == 0)
            throw new InvalidOperationException("this forecaster has no quantile head; create it with quantile levels");
        using var scope = NewDisposeScope();
        var (point, q) = Run(x, withQuantiles: true);
        return (point.MoveToOuterDisposeScope(), q!.MoveToOuterDisposeScope());
    }

    private (Tensor Point, Tensor? Quantiles) Run(Tensor x, bool withQuantiles)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 3) throw new ArgumentException($"x must be 3-D (N, L, C), got {x.dim()}-D", nameof(x));
        if (x.shape[1] != Lookback) throw new ArgumentException($"x has L = {x.shape[1]} steps, the model takes L = {Lookback}", nameof(x));
        long n = x.shape[0], c = x.shape[2];
        int heads = 1 + quantiles.Length;
        var (z, offset, scale) = normalization.Normalize(x);
        var sequences = z.permute(0, 2, 1).reshape(n * c, Lookback);                 // (N·C, L)
        var segments = sequences.reshape(n * c, Lookback / SegmentLength, SegmentLength);
        var embedded = nn.functional.relu(segment.call(segments));
        var (_, hidden) = gru.call(embedded);
        var y = output.call(dropout.call(hidden[-1])).reshape(n * c, heads, Horizon);  // (N·C, 1+Q, H)
        if (skip is not null) y = y + skip.call(sequences).unsqueeze(1);
        // (N·C, 1+Q, H) → (N, C, 1+Q, H) → (N, H, C, 1+Q), then denormalise (offset and scale broadcast over the heads).
        y = y.reshape(n, c, heads, Horizon).permute(0, 3, 1, 2);
        var denormalized = normalization.Denormalize(y, offset.unsqueeze(-1), scale?.unsqueeze(-1));
        var point = denormalized[.., .., .., 0];
        Tensor? q = withQuantiles ? denormalized[.., .., .., 1..] : null;
        return (point, q);
    }

    private T Live<T>(T module)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return module;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        disposed = true;
        base.Dispose(disposing);
    }
}
