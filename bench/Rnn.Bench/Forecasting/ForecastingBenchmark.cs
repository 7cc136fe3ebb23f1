using System.Diagnostics;
using System.Globalization;
using RnnMl.Text.Series;
using RnnMl.Torch.Forecasting;
using RnnMl.Torch.Training;
using static TorchSharp.torch;

namespace RnnMl.Bench.Forecasting;

/// <summary>
/// ETTh1 long-horizon forecasting (issue 16's protocol): the SegRNN-style <see cref="SegmentRecurrentForecaster"/> with a
/// quantile head against repeat-last, seasonal-naive and linear baselines, multivariate (7 channels) and univariate (OT).
/// </summary>
internal static class ForecastingBenchmark
{
    public const string Name = "forecasting";
    public const string Summary = "ETTh1, horizon 96: segment-GRU forecaster vs repeat-last, seasonal-naive and linear; MSE, MAE, 90% interval coverage";
    public const string Usage = """
        usage: Rnn.Bench forecasting [--quick] [--lookback L] [--segment W] [--hidden D] [--lr X] [--batch B] [--epochs N]
                                     [--patience P] [--minutes M] [--uni-minutes M] [--windows-per-epoch K] [--dropout X]
                                     [--skip] [--std] [--members K] [--calibrate] [--validation-only] [--no-uni] [--threads T] [--seed S]

          --quick              hidden 64, 2,048 windows per epoch, 50 s + 20 s budgets (under 2 minutes in all)
          --lookback L         input steps (default 336); must be a multiple of --segment
          --segment W          steps per segment (default 24)
          --hidden D           GRU hidden size (default 128)
          --lr X               Adam learning rate (default 0.002)
          --batch B            windows per batch (default 64; each window is C sequences, one per channel)
          --epochs N           at most N epochs (default 30)
          --patience P         early stopping: epochs without a better validation MSE (default 3)
          --minutes M          training budget of the multivariate model in minutes (default 10; 50 s with --quick)
          --uni-minutes M      training budget of the univariate (OT) model (default 3; 20 s with --quick)
          --windows-per-epoch K  training windows drawn per epoch (default all, 2,048 with --quick)
          --dropout X          dropout on the last hidden state (default 0)
          --skip               add the linear skip path (a linear map of the normalised input, trained jointly)
          --std                instance normalisation also divides by each window's std (default: subtract the last value only)
          --members K          train K models (seeds S, S+1, …) within the budget and average their point forecasts and
                               quantiles (default 3; 1 with --quick)
          --calibrate          scale each member's interval on the validation windows to cover 90 % of them (split
                               conformal; off by default)
          --validation-only    tuning run: report validation scores only, never look at the test part
          --no-uni             skip the univariate model
          --threads T          torch threads (default 1; 0 for libtorch's default)
          --seed S             seed of torch and the shuffling (default 1)

        Data: ../shared/datasets/ett/ETTh1.csv beside the repository root (Zhou et al., 2021). Protocol: rows [0, 8640) train,
        [8640, 11520) validate, [11520, 14400) test; every channel z-scored with the training rows' mean and std; windows slide
        by one step, test inputs reach back into the validation rows; MSE/MAE over windows, 96 steps and channels on z-scores.
        Baselines in the same run: repeat-last, seasonal-naive (period 24), least-squares linear L=336 → H (ridge 1e-4).
        Defaults chosen on the validation part (Forecasting/README.md). The model: channel-independent, per-window subtract-last normalisation, quantile head 0.05/0.5/0.95 (pinball loss)
        beside the point forecast (MSE); early stopping on the validation MSE, the best epoch's weights kept.
        coverage90 = share of test points inside [q0.05, q0.95]; train_s = wall time of the multivariate training (validation
        passes included). Last line: forecasting: mse=… mae=… linear_mse=… seasonal_mse=… repeat_mse=… uni_mse=… train_s=… coverage90=…
        """;

    private const int Horizon = 96;
    private const int LinearLookback = 336;
    private static readonly double[] Levels = [0.05, 0.5, 0.95];

    public static int Run(string[] args)
    {
        var options = new OptionReader(args);
        if (options.Flag("--help")) { Console.WriteLine(Usage); return 0; }
        bool quick = options.Flag("--quick");
        var settings = new ModelSettings(
            Lookback: options.Int("--lookback", 336, min: 1),
            Segment: options.Int("--segment", 24, min: 1),
            Hidden: options.Int("--hidden", quick ? 64 : 128, min: 1),
            LearningRate: Double(options, "--lr", 2e-3),
            Batch: options.Int("--batch", 64, min: 1),
            Epochs: options.Int("--epochs", 30, min: 1),
            Patience: options.Int("--patience", 3, min: 1),
            WindowsPerEpoch: NullableInt(options, "--windows-per-epoch", quick ? 2048 : null),
            Dropout: Double(options, "--dropout", 0, allowZero: true),
            Skip: options.Flag("--skip"),
            DivideByStd: options.Flag("--std"),
            Seed: options.Int("--seed", 1),
            Members: options.Int("--members", quick ? 1 : 3, min: 1),
            Calibrate: options.Flag("--calibrate"));
        double minutes = Double(options, "--minutes", quick ? 50.0 / 60 : 10);
        double uniMinutes = Double(options, "--uni-minutes", quick ? 20.0 / 60 : 3);
        bool validationOnly = options.Flag("--validation-only");
        bool noUni = options.Flag("--no-uni");
        int threads = options.Int("--threads", 1, min: 0);
        options.EnsureEmpty();
        if (settings.Lookback % settings.Segment != 0)
            throw new UsageException($"--lookback {settings.Lookback} must be a multiple of --segment {settings.Segment}");
        if (settings.Dropout >= 1) throw new UsageException($"--dropout must be in [0, 1), got {settings.Dropout}");
        if (threads > 0) set_num_threads(threads);

        var folder = SharedData.Find(Path.Combine("datasets", "ett"), out var searched);
        var file = folder is null ? null : Path.Combine(folder, "ETTh1.csv");
        if (file is null || !File.Exists(file))
        {
            Console.WriteLine($"forecasting: skipped, ETTh1.csv not found (looked in {searched})");
            return 0;
        }

        var raw = TimeSeries.FromCsv(file);
        var split = LongHorizonSplit.Ett();
        var z = split.FitScaler(raw).Transform(raw);
        var rawOt = raw.SelectChannels("OT");
        var zOt = split.FitScaler(rawOt).Transform(rawOt);
        Console.WriteLine($"ETTh1: {raw.Length} rows × {raw.Channels} channels ({string.Join(", ", raw.ChannelNames)}); split 8640/2880/2880; H = {Horizon}; torch threads {get_num_threads()}");
        Console.WriteLine($"model: {settings}; budgets {minutes * 60:F0} s (multivariate), {uniMinutes * 60:F0} s (OT){(quick ? " (quick)" : "")}");

        // A tuning run scores the baselines on the validation windows, so that the model's validation MSE has a yardstick.
        var baselines = Baselines(split, z, "multivariate", validationOnly);
        if (!noUni) Baselines(split, zOt, "univariate OT", validationOnly);

        var multi = Train(settings, split, z, minutes, "multivariate", validationOnly);
        var uni = noUni ? null : Train(settings, split, zOt, uniMinutes, "univariate OT", validationOnly);
        if (validationOnly)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"forecasting-validation: val_mse={multi.Validation.Mse:F4} val_linear_mse={baselines.Linear:F4} val_mae={multi.Validation.Mae:F4} val_coverage90={multi.Validation.Coverage:F3} uni_val_mse={(uni is null ? "-" : uni.Validation.Mse.ToString("F4", CultureInfo.InvariantCulture))} train_s={multi.Seconds:F0} epochs={multi.Epochs}"));
            return 0;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"forecasting: mse={multi.Test!.Mse:F4} mae={multi.Test.Mae:F4} linear_mse={baselines.Linear:F4} seasonal_mse={baselines.Seasonal:F4} repeat_mse={baselines.Repeat:F4} uni_mse={(uni is null ? "-" : uni.Test!.Mse.ToString("F4", CultureInfo.InvariantCulture))} train_s={multi.Seconds:F0} coverage90={multi.Test.Coverage:F3}"));
        return 0;
    }

    private sealed record ModelSettings(int Lookback, int Segment, int Hidden, double LearningRate, int Batch, int Epochs, int Patience,
        int? WindowsPerEpoch, double Dropout, bool Skip, bool DivideByStd, int Seed, int Members, bool Calibrate);

    private sealed record BaselineScores(double Repeat, double Seasonal, double Linear);

    private sealed record Outcome(WindowScore Validation, WindowScore? Test, double Seconds, int Epochs);

    private static BaselineScores Baselines(LongHorizonSplit split, TimeSeries z, string label, bool validation)
    {
        var test = validation ? split.Validation(z, LinearLookback, Horizon) : split.Test(z, LinearLookback, Horizon);
        var clock = Stopwatch.StartNew();
        var repeat = ForecastScore.Evaluate(RepeatLastForecaster.Create(), test);
        var seasonal = ForecastScore.Evaluate(SeasonalNaiveForecaster.Create(24), test);
        var linear = ForecastScore.Evaluate(LinearLeastSquaresForecaster.Fit(split.Train(z, LinearLookback, Horizon)), test);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label} baselines on {test.Count} {(validation ? "validation" : "test")} windows: repeat-last mse {repeat.Mse:F4} mae {repeat.Mae:F4}; seasonal-naive(24) mse {seasonal.Mse:F4} mae {seasonal.Mae:F4}; linear-{LinearLookback} mse {linear.Mse:F4} mae {linear.Mae:F4} ({clock.Elapsed.TotalSeconds:F1} s)"));
        return new BaselineScores(repeat.Mse, seasonal.Mse, linear.Mse);
    }

    private static Outcome Train(ModelSettings s, LongHorizonSplit split, TimeSeries z, double minutes, string label, bool validationOnly)
    {
        var trainWindows = split.Train(z, s.Lookback, Horizon);
        var validWindows = split.Validation(z, s.Lookback, Horizon);
        Console.WriteLine($"{label}: {trainWindows.Count} training windows × {z.Channels} channel(s), {validWindows.Count} validation windows, {s.Members} member(s)");
        var members = new List<SegmentRecurrentForecaster>();
        var clock = Stopwatch.StartNew();
        int epochs = 0;
        try
        {
            // Members differ only in their seed (initial weights and shuffling); they share the budget, and a member
            // starts only while budget is left (the budget's end stops it, keeping its best validation epoch).
            for (int k = 0; k < s.Members; k++)
            {
                var left = TimeSpan.FromMinutes(minutes) - clock.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    Console.WriteLine($"{label}: budget spent after {k} member(s)");
                    break;
                }
                members.Add(TrainMember(s with { Seed = s.Seed + k }, trainWindows, validWindows, left, $"{label} member {k + 1}", out int e));
                epochs += e;
                if (members.Count > 1)
                {
                    var soFar = WindowScore.Evaluate(members, validWindows);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{label} validation, mean of {members.Count} members: mse {soFar.Mse:F4} mae {soFar.Mae:F4} coverage90 {soFar.Coverage:F3}"));
                }
            }
            double seconds = clock.Elapsed.TotalSeconds;
            var validation = WindowScore.Evaluate(members, validWindows);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label} validation: mse {validation.Mse:F4} mae {validation.Mae:F4} coverage90 {validation.Coverage:F3} ({members.Count} member(s), {seconds:F0} s)"));
            WindowScore? test = null;
            if (!validationOnly)
            {
                test = WindowScore.Evaluate(members, split.Test(z, s.Lookback, Horizon));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{label} test: mse {test.Mse:F4} mae {test.Mae:F4} coverage90 {test.Coverage:F3} ({test.Windows} windows)"));
            }
            return new Outcome(validation, test, seconds, epochs);
        }
        finally
        {
            foreach (var m in members) m.Dispose();
        }
    }

    private static SegmentRecurrentForecaster TrainMember(ModelSettings s, SlidingWindows trainWindows, SlidingWindows validWindows,
        TimeSpan budgetLeft, string label, out int epochs)
    {
        manual_seed(s.Seed);
        var model = SegmentRecurrentForecaster.Create(s.Lookback, Horizon, s.Segment, s.Hidden, s.Dropout,
            InstanceNormalization.Create(divideByStd: s.DivideByStd), Levels, s.Skip);
        using var task = new ForecastingTrainingTask(model, trainWindows, validWindows, s.Batch, windowsPerEpoch: s.WindowsPerEpoch);
        var trainer = Trainer.Create(new TrainerOptions
        {
            Epochs = s.Epochs,
            LearningRate = s.LearningRate,
            Schedule = LearningRateSchedule.ReduceOnPlateau,
            PlateauPatience = 1,
            PlateauFactor = 0.5,
            GradientClipNorm = 5,
            EarlyStoppingPatience = s.Patience,
            SelectionMetric = "mse",
            SelectionMetricHigherIsBetter = false,
            RestoreBestWeights = true,
            Seed = s.Seed,
        });
        var clock = Stopwatch.StartNew();
        var progress = new TrainedItems(e =>
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  epoch {e.Epoch + 1}: train mse {e.TrainMetrics["mse"]:F4}, validation mse {e.ValidationMetrics["mse"]:F4} mae {e.ValidationMetrics["mae"]:F4} coverage90 {e.ValidationMetrics["coverage"]:F3}, lr {e.LearningRate:G3}, {e.Duration.TotalSeconds:F0} s{(e.IsBest ? " *" : "")}"));
        });
        using var budget = new CancellationTokenSource(budgetLeft);
        var result = trainer.Fit(task, progress, budget.Token);
        Console.WriteLine($"{label}: {result.History.Count} epoch(s), best {result.BestEpoch + 1}, stop: {result.StopReason}{(result.Message is null ? "" : $" ({result.Message})")}, {clock.Elapsed.TotalSeconds:F0} s");
        epochs = result.History.Count;
        if (s.Calibrate)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: interval scale {task.CalibrateInterval(0.9):F3} (validation coverage now 0.90)"));
        return model;
    }

    private static int? NullableInt(OptionReader options, string name, int? fallback)
    {
        int value = options.Int(name, -1, min: -1);
        if (value == -1) return fallback;
        if (value < 1) throw new UsageException($"{name} needs a positive integer, got {value}");
        return value;
    }

    private static double Double(OptionReader options, string name, double fallback, bool allowZero = false)
    {
        var text = options.Value(name);
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(allowZero ? value >= 0 : value > 0))
            throw new UsageException($"{name} needs a {(allowZero ? "non-negative" : "positive")} number, got '{text}'");
        return value;
    }
}
