namespace RnnMl.Text.Series;

/// <summary>
/// A train / validation / test split by rows, with the sliding windows of the long-horizon forecasting protocol:
/// training windows lie inside the training rows; validation and test windows have their targets inside their part and
/// their inputs may reach back L rows into the part before.
/// </summary>
/// <remarks>
/// <see cref="Ett"/> is the standard ETT split (Informer, DLinear, PatchTST, SegRNN): rows [0, 8640) train (12·30·24),
/// [8640, 11520) validate (4·30·24), [11520, 14400) test (4·30·24); the rest of the file is unused.
/// </remarks>
public sealed class LongHorizonSplit
{
    private LongHorizonSplit(int trainRows, int validationRows, int testRows)
    {
        TrainRows = trainRows;
        ValidationRows = validationRows;
        TestRows = testRows;
    }

    /// <summary>Rows [0, TrainRows) train.</summary>
    public int TrainRows { get; }

    /// <summary>Rows [TrainRows, TrainRows+ValidationRows) validate.</summary>
    public int ValidationRows { get; }

    /// <summary>Rows [TrainRows+ValidationRows, TrainRows+ValidationRows+TestRows) test.</summary>
    public int TestRows { get; }

    /// <summary>The standard ETT-hourly split: 8640 / 2880 / 2880 rows.</summary>
    public static LongHorizonSplit Ett() => Create(12 * 30 * 24, 4 * 30 * 24, 4 * 30 * 24);

    /// <summary>A split with the given part sizes, each ≥ 1.</summary>
    public static LongHorizonSplit Create(int trainRows, int validationRows, int testRows)
    {
        if (trainRows < 1) throw new ArgumentOutOfRangeException(nameof(trainRows), trainRows, "must be ≥ 1");
        if (validationRows < 1) throw new ArgumentOutOfRangeException(nameof(validationRows), validationRows, "must be ≥ 1");
        if (testRows < 1) throw new ArgumentOutOfRangeException(nameof(testRows), testRows, "must be ≥ 1");
        return new LongHorizonSplit(trainRows, validationRows, testRows);
    }

    /// <summary>Windows with input and target inside the training rows.</summary>
    public SlidingWindows Train(TimeSeries series, int lookback, int horizon) =>
        Windows(series, lookback, horizon, 0, TrainRows);

    /// <summary>Windows with targets inside the validation rows (inputs from row TrainRows − L).</summary>
    public SlidingWindows Validation(TimeSeries series, int lookback, int horizon) =>
        Windows(series, lookback, horizon, TrainRows, TrainRows + ValidationRows);

    /// <summary>Windows with targets inside the test rows (inputs from row TrainRows + ValidationRows − L).</summary>
    public SlidingWindows Test(TimeSeries series, int lookback, int horizon) =>
        Windows(series, lookback, horizon, TrainRows + ValidationRows, TrainRows + ValidationRows + TestRows);

    /// <summary>z-scoring fitted on the training rows.</summary>
    public ChannelScaler FitScaler(TimeSeries series, double stdFloor = ChannelScaler.DefaultStdFloor)
    {
        CheckLength(series);
        return ChannelScaler.Fit(series, 0, TrainRows, stdFloor);
    }

    private SlidingWindows Windows(TimeSeries series, int lookback, int horizon, int partStart, int partEnd)
    {
        CheckLength(series);
        if (lookback < 1) throw new ArgumentOutOfRangeException(nameof(lookback), lookback, "lookback L must be ≥ 1");
        int first = Math.Max(0, partStart == 0 ? 0 : partStart - lookback);
        return SlidingWindows.Create(series, lookback, horizon, first, partEnd);
    }

    private void CheckLength(TimeSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        int need = TrainRows + ValidationRows + TestRows;
        if (series.Length < need)
            throw new ArgumentException($"the series has {series.Length} rows, the split needs {need} ({TrainRows} + {ValidationRows} + {TestRows})", nameof(series));
    }
}
