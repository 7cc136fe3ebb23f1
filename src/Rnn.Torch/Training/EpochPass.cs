using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Training;

/// <summary>
/// One pass over an epoch's batches: training (forward, backward, clipping, scheduled optimizer step) or validation
/// (no gradients), summing loss and metrics, with a dispose scope per batch. Stops at cancellation or at a non-finite
/// loss or gradient norm without stepping, and says so in <see cref="EpochTotals.Interruption"/>.
/// </summary>
/// <typeparam name="TBatch">The task's batch description.</typeparam>
internal sealed class EpochPass<TBatch>
{
    private readonly TrainerOptions options;
    private readonly ITrainingTask<TBatch> task;
    private readonly nn.Module model;
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly OptimizerHelper optimizer;
    private readonly IReadOnlyList<ParameterGroup>? groups;
    private readonly ProgressThrottle progress;
    private readonly CancellationToken cancellation;

    public EpochPass(TrainerOptions options, ITrainingTask<TBatch> task, nn.Module model, IReadOnlyList<Parameter> parameters,
        IReadOnlyList<ParameterGroup>? groups, OptimizerHelper optimizer, ProgressThrottle progress, CancellationToken cancellation)
    {
        this.groups = groups;
        this.options = options;
        this.task = task;
        this.model = model;
        this.parameters = parameters;
        this.optimizer = optimizer;
        this.progress = progress;
        this.cancellation = cancellation;
    }

    /// <summary>Trains one epoch; advances <paramref name="state"/>'s step clock (and fixes its steps per epoch in epoch 0 when the schedule needs it).</summary>
    public EpochTotals Train(int epoch, Random random, TrainingRunState state)
    {
        model.train();
        // Gradual unfreezing: a group before its epoch gets no gradient, so the optimizer leaves it (and its moments) alone.
        foreach (var g in groups ?? [])
            foreach (var p in g.Parameters) p.requires_grad = epoch >= g.UnfreezeEpoch;
        double lossSum = 0, lr = double.NaN, firstLoss = double.NaN;
        long count = 0;
        int batch = 0;
        var sums = new SortedDictionary<string, double>(StringComparer.Ordinal);
        // The epoch scope catches tensors a task makes eagerly when asked for the epoch's batches.
        using var epochScope = NewDisposeScope();
        IEnumerable<TBatch> batches = task.TrainingBatches(epoch, random)
            ?? throw new InvalidOperationException($"the task returned null training batches for epoch {epoch + 1}");
        if (LearningRateMath.NeedsStepsPerEpoch(options.Schedule) && state.StepsPerEpoch == 0)
        {
            // Cosine and warm-up schedules need the run's length: count epoch 0 and assume the same for every epoch.
            var list = batches.ToList();
            state.StepsPerEpoch = list.Count;
            batches = list;
        }
        int plateauCuts = LearningRateMath.CutsFor(options, state.History);
        using var enumerator = batches.GetEnumerator();
        while (true)
        {
            if (cancellation.IsCancellationRequested)
                return EpochTotals.Stopped(new EpochInterruption(Cancelled: true, batch));
            using var batchScope = NewDisposeScope();
            if (!enumerator.MoveNext()) break;
            optimizer.zero_grad();
            var result = Checked(task.Evaluate(enumerator.Current, training: true), epoch, batch, training: true);
            double loss = result.Loss.detach().to(ScalarType.Float64).item<double>();
            if (!double.IsFinite(loss))
                return NonFinite($"loss became {Describe(loss)} at epoch {epoch + 1}, batch {batch + 1}", batch, lossSum, count);
            result.Loss.backward();
            if (options.GradientClipNorm is { } maxNorm)
            {
                double norm = GradientClipping.ClipGlobalNorm(parameters, maxNorm);
                if (!double.IsFinite(norm))
                    return NonFinite($"gradient norm became {Describe(norm)} at epoch {epoch + 1}, batch {batch + 1}", batch, lossSum, count);
            }
            lr = LearningRateMath.At(options, epoch, state.StepsTaken, state.StepsPerEpoch, plateauCuts);
            int k = 0;
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr * (groups?[k++].LearningRateFactor ?? 1);
            optimizer.step();
            state.StepsTaken++;

            if (batch == 0) firstLoss = loss;
            lossSum += loss * result.Count;
            count += result.Count;
            Accumulate(sums, result.MetricSums);
            batch++;
            progress.Report(new TrainingProgress(epoch, options.Epochs, batch, lossSum / count, count, null, null), force: false);
        }
        if (batch == 0)
            throw new InvalidOperationException($"the task gave no training batches for epoch {epoch + 1}");
        return new EpochTotals(batch, lossSum / count, count, Divide(sums, count), lr, null) { FirstLoss = firstLoss };
    }

    /// <summary>Runs the validation batches without gradients; no batches gives a count of 0.</summary>
    public EpochTotals Validate(int epoch)
    {
        model.eval();
        double lossSum = 0;
        long count = 0;
        int batch = 0;
        var sums = new SortedDictionary<string, double>(StringComparer.Ordinal);
        using var noGrad = no_grad();
        using var epochScope = NewDisposeScope();
        var batches = task.ValidationBatches()
            ?? throw new InvalidOperationException("the task returned null validation batches; return an empty sequence for no validation");
        using var enumerator = batches.GetEnumerator();
        while (true)
        {
            if (cancellation.IsCancellationRequested)
                return EpochTotals.Stopped(new EpochInterruption(Cancelled: true, -1));
            using var batchScope = NewDisposeScope();
            if (!enumerator.MoveNext()) break;
            var result = Checked(task.Evaluate(enumerator.Current, training: false), epoch, batch, training: false);
            double loss = result.Loss.to(ScalarType.Float64).item<double>();
            if (!double.IsFinite(loss))
                return NonFinite($"validation loss became {Describe(loss)} at epoch {epoch + 1}, validation batch {batch + 1}", -1, double.NaN, 0);
            lossSum += loss * result.Count;
            count += result.Count;
            Accumulate(sums, result.MetricSums);
            batch++;
        }
        return new EpochTotals(batch, count == 0 ? double.NaN : lossSum / count, count, Divide(sums, count), double.NaN, null);
    }

    private static EpochTotals NonFinite(string what, int batch, double lossSum, long count) =>
        EpochTotals.Stopped(new EpochInterruption(Cancelled: false, batch, what, lossSum, count));

    private static string Describe(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "+infinity" : "-infinity";

    private static BatchResult Checked(BatchResult? result, int epoch, int batch, bool training)
    {
        string where = $"{(training ? "training" : "validation")} batch {batch + 1} of epoch {epoch + 1}";
        if (result is null)
            throw new InvalidOperationException($"the task's Evaluate returned null for {where}");
        if (result.Loss is null || result.Loss.numel() != 1)
            throw new InvalidOperationException($"the loss of {where} must be a single-element tensor, got {(result.Loss is null ? "null" : $"shape [{string.Join(", ", result.Loss.shape)}]")}");
        if (result.Count < 1)
            throw new InvalidOperationException($"the count of {where} must be at least 1, got {result.Count}");
        if (training && !result.Loss.requires_grad)
            throw new InvalidOperationException($"the loss of {where} must be attached to the autograd graph (requires_grad), got a tensor without it");
        return result;
    }

    private static void Accumulate(SortedDictionary<string, double> sums, IReadOnlyDictionary<string, double>? batch)
    {
        if (batch is null) return;
        foreach (var (key, value) in batch)
            sums[key] = sums.GetValueOrDefault(key) + value;
    }

    private static IReadOnlyDictionary<string, double> Divide(SortedDictionary<string, double> sums, long count)
    {
        var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, value) in sums) result[key] = count == 0 ? double.NaN : value / count;
        return result;
    }
}
