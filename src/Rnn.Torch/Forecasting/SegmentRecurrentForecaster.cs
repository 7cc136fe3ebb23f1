using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Forecasting;

/// <summary>
/// A SegRNN-style forecaster (Lin et al., 2023): the L steps of a window are cut into L/w segments of length w, each
/// projected to the hidden size D, a GRU runs over the segments, and a linear head maps the last hidden state to the H
/// future steps. Channel-independent by default (each channel its own sequence, weights shared by all channels) or joint
/// (<see cref="ForecasterChannelMode.Joint"/>: one sequence of C-dimensional steps, all C × H outputs from one head); all H
/// steps at once by default or segment by segment fed back (<see cref="ForecastOutputMode.Recursive"/>); optionally K known
/// covariates for past and future steps (e.g. hour of day). Optionally a quantile head gives Q quantile forecasts per step
/// (an interval for every forecast), trained with <see cref="QuantileLoss.Pinball"/>, and a linear skip path adds a direct
/// linear map of the L normalised inputs.
/// </summary>
/// <remarks>
/// Input x (N, L, C), output ŷ (N, H, C), same scale as x. Per window and channel: z = x − x_L (or z-scored, see
/// <see cref="InstanceNormalization"/>). P = 1 values per step (independent: the window is read as N·C sequences) or P = C
/// (joint: N sequences). Step t's input is u_t = [z_t (P values), k_t (K covariates)]; segments s_j = [u_{(j−1)w+1} … u_{jw}]
/// ∈ ℝ^{w(P+K)} (j = 1..L/w), e_j = ReLU(W_s s_j + b_s) ∈ ℝᴰ, h = GRU(e_1..e_{L/w}). Direct: ŷ = W_o [h, k_{L+1} … k_{L+H}] + b_o
/// ∈ ℝ^{H·P} (the future covariates, H·K values, are concatenated to the last hidden state) (+ W_k z ∈ ℝᴴ per channel with the
/// linear skip), then denormalised. Recursive: the head maps [h, k of the next w steps] to w·P values, those point
/// forecasts and their covariates form the next segment, e = ReLU(W_s s + b_s) advances the GRU one step, and so on; the
/// covariates after step L + H of the last segment are zeros (they only reach outputs past H, which are cut). Covariates
/// (N, L + H, K) enter as given (no normalisation: scale them to order 1) and are shared by all channels.
/// In the independent mode weights are shared by all channels, so a channel's forecast does not depend on what the other
/// channels hold.
/// With Q quantile levels τ_1 &lt; … &lt; τ_Q the head also gives q_j = W_{q,j} [h, …] + b_{q,j} (+ the same skip term),
/// denormalised like ŷ (scale &gt; 0, so their order is kept). The point forecast ŷ stays a separate output, so it can be
/// trained on the squared error while the quantiles are trained on the pinball loss. Nothing forces q_1 ≤ … ≤ q_Q; the
/// pinball loss makes a trained model order them.
/// Parameters: <c>segment.*</c> (w(P+K) → D), <c>gru.*</c>, <c>output.*</c> (D + B·K → (1 + Q)·B·P, B = H direct or w
/// recursive, laid out (1 + Q, B, P)), <c>skip.*</c> (L → H) with the linear skip.
/// </remarks>
public sealed partial class SegmentRecurrentForecaster : nn.Module<Tensor, Tensor>
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
        InstanceNormalization normalization, double[] quantiles, bool linearSkip, ForecasterChannelMode channelMode, int channels,
        int covariates, ForecastOutputMode outputMode, Device? device) : base(nameof(SegmentRecurrentForecaster))
    {
        Lookback = lookback;
        Horizon = horizon;
        SegmentLength = segmentLength;
        HiddenSize = hiddenSize;
        ChannelMode = channelMode;
        Channels = channels == 0 ? null : channels;
        Covariates = covariates;
        OutputMode = outputMode;
        this.normalization = normalization;
        this.quantiles = quantiles;
        int perStep = StepValues;
        segment = nn.Linear(segmentLength * (perStep + covariates), hiddenSize, device: device);
        gru = nn.GRU(hiddenSize, hiddenSize, batchFirst: true, device: device);
        dropout = nn.Dropout(dropoutRate);
        output = nn.Linear(hiddenSize + BlockLength * covariates, BlockLength * perStep * (1 + quantiles.Length), device: device);
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

    /// <summary>Whether channels are read one by one with shared weights or together as one sequence.</summary>
    public ForecasterChannelMode ChannelMode { get; }

    /// <summary>C, the channels the model takes: fixed in the joint mode; null (any) in the independent mode unless given.</summary>
    public int? Channels { get; }

    /// <summary>K, the known covariates per step (input (N, L + H, K)); 0 without.</summary>
    public int Covariates { get; }

    /// <summary>Whether the H steps come at once or segment by segment fed back.</summary>
    public ForecastOutputMode OutputMode { get; }

    /// <summary>P, values per step of one sequence: 1 independent, C joint.</summary>
    private int StepValues => ChannelMode == ForecasterChannelMode.Joint ? Channels!.Value : 1;

    /// <summary>Steps the head forecasts per call: H direct, w recursive.</summary>
    private int BlockLength => OutputMode == ForecastOutputMode.Direct ? Horizon : SegmentLength;

    /// <summary>The quantile levels τ_1 &lt; … &lt; τ_Q of the quantile head; empty without one.</summary>
    public IReadOnlyList<double> Quantiles => quantiles;

    /// <summary>Whether a linear map of the L normalised inputs is added to every output (starts at zero).</summary>
    public bool LinearSkip => skip is not null;

    /// <summary>s &gt; 0, the factor applied to the distance from the point forecast to every quantile: q ← p + s·(q − p);
    /// 1 (the default) leaves the quantiles as the head gives them. Set it from held-out windows with
    /// <see cref="IntervalCalibration"/> (see <see cref="ForecastingTrainingTask.CalibrateInterval"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not finite or not &gt; 0.</exception>
    public double IntervalScale
    {
        get => intervalScale;
        set => intervalScale = value > 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "the interval scale must be finite and > 0");
    }

    private double intervalScale = 1;

    /// <summary>The per-window normalisation.</summary>
    public InstanceNormalization Normalization => normalization;

    /// <summary>The segment projection w·(P + K) → D (<c>segment.*</c>), e.g. for export.</summary>
    /// <exception cref="ObjectDisposedException">The model has been disposed (likewise for the other modules).</exception>
    public Linear SegmentProjection => Live(segment);

    /// <summary>The one-layer, forward GRU D → D over the segments (<c>gru.*</c>), e.g. for export.</summary>
    public GRU Recurrent => Live(gru);

    /// <summary>The output head D + B·K → (1 + Q)·B·P (<c>output.*</c>, B = H direct, w recursive): the point forecast's B·P
    /// values (step-major), then B·P per quantile level.</summary>
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
    /// <param name="channelMode">Channel-independent (default) or joint.</param>
    /// <param name="channels">C: required (≥ 1) in the joint mode; in the independent mode 0 (default) takes any C, ≥ 1 fixes it.</param>
    /// <param name="covariates">K ≥ 0 known covariates per step; default 0.</param>
    /// <param name="outputMode">Direct (default) or recursive multi-step output.</param>
    public static SegmentRecurrentForecaster Create(int lookback, int horizon, int segmentLength, int hiddenSize,
        double dropout = 0, InstanceNormalization? normalization = null, IReadOnlyList<double>? quantiles = null,
        bool linearSkip = false, Device? device = null, ForecasterChannelMode channelMode = ForecasterChannelMode.Independent,
        int channels = 0, int covariates = 0, ForecastOutputMode outputMode = ForecastOutputMode.Direct)
    {
        if (lookback < 1) throw new ArgumentOutOfRangeException(nameof(lookback), lookback, "lookback L must be ≥ 1");
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "horizon H must be ≥ 1");
        if (segmentLength < 1 || lookback % segmentLength != 0)
            throw new ArgumentOutOfRangeException(nameof(segmentLength), segmentLength, $"segment length w must be ≥ 1 and divide lookback L = {lookback}");
        if (hiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "hidden size must be ≥ 1");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "must be in [0, 1)");
        if (!Enum.IsDefined(channelMode)) throw new ArgumentOutOfRangeException(nameof(channelMode), channelMode, "not a channel mode");
        if (!Enum.IsDefined(outputMode)) throw new ArgumentOutOfRangeException(nameof(outputMode), outputMode, "not an output mode");
        if (channels < 0 || (channelMode == ForecasterChannelMode.Joint && channels < 1))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, $"channels C must be ≥ 1 in the joint mode and ≥ 0 (0: any) in the independent mode; mode {channelMode}");
        if (covariates < 0) throw new ArgumentOutOfRangeException(nameof(covariates), covariates, "covariates K must be ≥ 0");
        var levels = quantiles is null ? [] : QuantileLoss.CheckLevels(quantiles, nameof(quantiles));
        return new SegmentRecurrentForecaster(lookback, horizon, segmentLength, hiddenSize, dropout,
            normalization ?? InstanceNormalization.Create(), levels, linearSkip, channelMode, channels, covariates, outputMode, device);
    }

    /// <summary>Forecasts all H steps of every channel (the point forecast); only for a model without covariates.</summary>
    /// <param name="x">(N, L, C) float32 windows, oldest step first.</param>
    /// <returns>(N, H, C) forecasts.</returns>
    /// <exception cref="ArgumentException">x is not 3-D, not floating point, its L differs from <see cref="Lookback"/>, its C
    /// from <see cref="Channels"/>, or the model needs covariates (use <see cref="Forecast"/>).</exception>
    public override Tensor forward(Tensor x) => Forecast(x, null);

    /// <summary>Forecasts all H steps of every channel (the point forecast).</summary>
    /// <param name="x">(N, L, C) float32 windows, oldest step first.</param>
    /// <param name="covariates">(N, L + H, K) known covariates of the window's L steps and the H forecast steps; null when K = 0.</param>
    /// <returns>(N, H, C) forecasts.</returns>
    /// <exception cref="ArgumentException">As <see cref="forward"/>, or the covariates' shape is not (N, L + H, K).</exception>
    public Tensor Forecast(Tensor x, Tensor? covariates)
    {
        using var scope = NewDisposeScope();
        var (point, _) = Run(x, covariates, withQuantiles: false);
        return point.MoveToOuterDisposeScope();
    }

    /// <summary>Forecasts all H steps of every channel with the quantile head.</summary>
    /// <param name="x">(N, L, C) float32 windows, oldest step first.</param>
    /// <param name="covariates">(N, L + H, K) known covariates; null when K = 0.</param>
    /// <returns>The point forecast (N, H, C) and the quantile forecasts (N, H, C, Q), Q = <see cref="Quantiles"/>.Count.</returns>
    /// <exception cref="InvalidOperationException">The model has no quantile head.</exception>
    /// <exception cref="ArgumentException">As <see cref="Forecast"/>.</exception>
    public (Tensor Point, Tensor Quantiles) ForecastWithQuantiles(Tensor x, Tensor? covariates = null)
    {
        if (quantiles.Length == 0)
            throw new InvalidOperationException("this forecaster has no quantile head; create it with quantile levels");
        using var scope = NewDisposeScope();
        var (point, q) = Run(x, covariates, withQuantiles: true);
        return (point.MoveToOuterDisposeScope(), q!.MoveToOuterDisposeScope());
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
