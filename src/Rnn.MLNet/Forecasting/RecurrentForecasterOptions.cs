using RnnMl.Torch.Forecasting;
using RnnMl.Torch.Models;

namespace RnnMl.MLNet.Forecasting;

/// <summary>
/// Options of the recurrent forecaster (<c>mlContext.Forecasting.ForecastByRecurrent</c>): rows in order are time steps,
/// one or more <c>Single</c> target columns are the channels, forecast by one channel-independent SegRNN-style model
/// (<see cref="RnnMl.Torch.Forecasting.SegmentRecurrentForecaster"/>, weights shared by all channels). Every default is
/// stated; those of L, w, D and the training settings are the ones that worked on ETTh1 in <c>bench/Rnn.Bench/Forecasting</c>:
/// lookback 336, segment 24, hidden size 128, dropout 0, learning rate 0.002 halved after each epoch without a better
/// validation loss, batch 64 windows, up to 30 epochs, early stopping after 3, a 90 % interval. Horizon 24 (a day of
/// hours; the bench's 96 is its protocol), prediction batch 256 windows. The last 20 % of the time steps validate (never
/// random rows), since the held-out tail must hold more than H steps. Channel-independent, direct multi-step output, no
/// covariates and an error on a missing value by default.
/// </summary>
public sealed class RecurrentForecasterOptions : RecurrentTrainingOptions
{
    /// <summary>Options with the stated defaults.</summary>
    public RecurrentForecasterOptions()
    {
        TaskDefaults(epochs: 30, learningRate: 2e-3, batchSize: 64, predictionBatchSize: 256, validationFraction: 0.2,
            hiddenSize: 128, dropout: 0);
        Schedule = LearningRateSchedule.ReduceOnPlateau;
        PlateauPatience = 1;
        PlateauFactor = 0.5;
        Cell = Torch.Layers.RecurrentCellKind.Gru;
    }

    /// <summary>The channels to forecast: one or more <c>Single</c> columns, read in row order as time steps. Default ["Value"].</summary>
    public string[] TargetColumnNames { get; set; } = ["Value"];

    /// <summary>Known covariates: <c>Single</c> columns whose values are known in advance for past and future steps (hour of
    /// day, day of week, a holiday flag). The forecast made at a row reads the covariates of its L rows and of the next H
    /// rows (rows in order are time steps), so rows without H rows after them get NaN forecasts, as rows without L rows
    /// before them do; a <c>PredictionEngine</c> sees one row at a time and always gives NaN: use
    /// <see cref="RecurrentForecasterTransformer.Forecast(IReadOnlyList{float[]}, IReadOnlyList{float[]})"/>. Covariates are
    /// z-scored with the training rows' mean and std and enter every step's input next to the step's values (see
    /// <see cref="RnnMl.Torch.Forecasting.SegmentRecurrentForecaster"/>); they are not forecast. Default none.</summary>
    public string[] KnownCovariateColumns { get; set; } = [];

    /// <summary>Channel-independent (one sequence per target, weights shared; the default, as SegRNN) or joint (one sequence
    /// of C-dimensional steps; a target's forecast can use the other targets).</summary>
    public ForecasterChannelMode ChannelMode { get; set; } = ForecasterChannelMode.Independent;

    /// <summary>Direct (all H steps at once; the default) or recursive (one segment of w steps at a time, fed back).</summary>
    public ForecastOutputMode OutputMode { get; set; } = ForecastOutputMode.Direct;

    /// <summary>What a NaN or ±∞ in a target or covariate column does: <see cref="MissingValuePolicy.Error"/> (the default)
    /// fails naming the first such row (0-based) and column; <see cref="MissingValuePolicy.ForwardFill"/> takes the column's
    /// last finite value before it (a missing value before the first finite one is still an error when training; when
    /// forecasting, rows whose window holds it get NaN).</summary>
    public MissingValuePolicy MissingValues { get; set; } = MissingValuePolicy.Error;

    /// <summary>After training, scale the interval's half-widths (split conformal, on the validation windows) so that it
    /// covers <see cref="ConfidenceLevel"/> of the validation truths (see <see cref="RnnMl.Torch.Forecasting.IntervalCalibration"/>);
    /// needs validation windows. Default false: the quantile head's own interval. The guarantee holds only when future
    /// errors are like the validation errors (on ETTh1 the test part is calmer than the validation part, so a calibrated
    /// interval over-covers there).</summary>
    public bool CalibrateInterval { get; set; }

    /// <summary>L, the time steps a forecast is made from; a multiple of <see cref="SegmentLength"/>. Default 336 (two weeks of hours).</summary>
    public int Lookback { get; set; } = 336;

    /// <summary>H, the time steps forecast at once. Default 24.</summary>
    public int Horizon { get; set; } = 24;

    /// <summary>w, the steps per segment the GRU reads as one input (L/w recurrent steps). Default 24.</summary>
    public int SegmentLength { get; set; } = 24;

    /// <summary>c, the nominal coverage of the interval, in (0, 1): the quantile head learns levels (1 − c)/2, 0.5 and
    /// (1 + c)/2, the outer two are the bounds. Default 0.9.</summary>
    public double ConfidenceLevel { get; set; } = 0.9;

    /// <summary>Added per target <c>T</c>: the forecast column <c>T + ForecastColumnSuffix</c>, <c>Vector&lt;Single, H&gt;</c>. Default "Forecast".</summary>
    public string ForecastColumnSuffix { get; set; } = "Forecast";

    /// <summary>Added per target: the lower bound column <c>T + LowerBoundColumnSuffix</c>. Default "LowerBound".</summary>
    public string LowerBoundColumnSuffix { get; set; } = "LowerBound";

    /// <summary>Added per target: the upper bound column <c>T + UpperBoundColumnSuffix</c>. Default "UpperBound".</summary>
    public string UpperBoundColumnSuffix { get; set; } = "UpperBound";

    /// <summary>The quantile levels of the head: (1 − c)/2, 0.5, (1 + c)/2.</summary>
    internal double[] QuantileLevels => [(1 - ConfidenceLevel) / 2, 0.5, (1 + ConfidenceLevel) / 2];

    /// <summary>Throws an <see cref="ArgumentException"/>-family error naming the first bad option and its value.</summary>
    public override void Validate()
    {
        if (TargetColumnNames is null || TargetColumnNames.Length == 0)
            throw new ArgumentException("TargetColumnNames must name at least one Single column", nameof(TargetColumnNames));
        foreach (var name in TargetColumnNames)
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException($"TargetColumnNames must name columns, got '{name}'", nameof(TargetColumnNames));
        if (TargetColumnNames.Distinct(StringComparer.Ordinal).Count() != TargetColumnNames.Length)
            throw new ArgumentException($"TargetColumnNames names a column twice: {string.Join(", ", TargetColumnNames)}", nameof(TargetColumnNames));
        foreach (var (name, value) in new[] { (nameof(ForecastColumnSuffix), ForecastColumnSuffix),
                     (nameof(LowerBoundColumnSuffix), LowerBoundColumnSuffix), (nameof(UpperBoundColumnSuffix), UpperBoundColumnSuffix) })
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"{name} must be a non-empty suffix, got '{value}'", name);
        if (new[] { ForecastColumnSuffix, LowerBoundColumnSuffix, UpperBoundColumnSuffix }.Distinct(StringComparer.Ordinal).Count() != 3)
            throw new ArgumentException($"the column suffixes must differ, got '{ForecastColumnSuffix}', '{LowerBoundColumnSuffix}', '{UpperBoundColumnSuffix}'", nameof(ForecastColumnSuffix));
        if (KnownCovariateColumns is null)
            throw new ArgumentNullException(nameof(KnownCovariateColumns), "use an empty array for no covariates");
        foreach (var name in KnownCovariateColumns)
            if (string.IsNullOrWhiteSpace(name) || TargetColumnNames.Contains(name, StringComparer.Ordinal))
                throw new ArgumentException($"KnownCovariateColumns must name columns other than the targets, got '{name}'", nameof(KnownCovariateColumns));
        if (KnownCovariateColumns.Distinct(StringComparer.Ordinal).Count() != KnownCovariateColumns.Length)
            throw new ArgumentException($"KnownCovariateColumns names a column twice: {string.Join(", ", KnownCovariateColumns)}", nameof(KnownCovariateColumns));
        if (!Enum.IsDefined(ChannelMode)) throw new ArgumentOutOfRangeException(nameof(ChannelMode), ChannelMode, "not a channel mode");
        if (!Enum.IsDefined(OutputMode)) throw new ArgumentOutOfRangeException(nameof(OutputMode), OutputMode, "not an output mode");
        if (!Enum.IsDefined(MissingValues)) throw new ArgumentOutOfRangeException(nameof(MissingValues), MissingValues, "not a missing-value policy");
        if (Lookback < 1)
            throw new ArgumentOutOfRangeException(nameof(Lookback), Lookback, $"lookback must be at least 1, got {Lookback}");
        if (Horizon < 1)
            throw new ArgumentOutOfRangeException(nameof(Horizon), Horizon, $"horizon must be at least 1, got {Horizon}");
        if (SegmentLength < 1 || Lookback % SegmentLength != 0)
            throw new ArgumentOutOfRangeException(nameof(SegmentLength), SegmentLength, $"segment length must be at least 1 and divide lookback {Lookback}, got {SegmentLength}");
        if (!(ConfidenceLevel > 0 && ConfidenceLevel < 1))
            throw new ArgumentOutOfRangeException(nameof(ConfidenceLevel), ConfidenceLevel, $"confidence level must be in (0, 1), got {ConfidenceLevel}");
        if (HiddenSize < 1)
            throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize, $"hidden size must be at least 1, got {HiddenSize}");
        if (!(Dropout >= 0 && Dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, $"dropout must be in [0, 1), got {Dropout}");
        if (Cell != Torch.Layers.RecurrentCellKind.Gru || NumLayers != 1)
            throw new ArgumentOutOfRangeException(nameof(Cell), $"the forecaster is one GRU layer over segments (SegRNN), got Cell = {Cell}, NumLayers = {NumLayers}");
        ValidateShared();
    }

    /// <summary>The output column names of one target: forecast, lower bound, upper bound.</summary>
    internal static string[] OutputNames(string target, string forecast, string lower, string upper) => [target + forecast, target + lower, target + upper];
}
