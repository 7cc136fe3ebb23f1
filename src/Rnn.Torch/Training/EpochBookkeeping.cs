namespace RnnMl.Torch.Training;

/// <summary>
/// The decisions made between epochs, on <see cref="TrainingRunState"/> alone: which epoch is best, early stopping,
/// divergence, and the messages that explain a stop. No tensors: the run applies what these decide to the weights.
/// </summary>
internal static class EpochBookkeeping
{
    /// <summary>
    /// Records a completed epoch: updates the best epoch and the patience counter from the selection score, appends its
    /// metrics to the history and marks the run finished when early stopping applies.
    /// </summary>
    /// <param name="options">The run's options.</param>
    /// <param name="state">Updated in place.</param>
    /// <param name="epoch">The completed epoch, 0-based.</param>
    /// <param name="train">The epoch's training totals.</param>
    /// <param name="validation">The epoch's validation totals (count 0 without validation).</param>
    /// <param name="duration">How long the epoch took.</param>
    /// <param name="takeSnapshot">Whether the weights as they are now must become the rollback snapshot (then
    /// <see cref="TrainingRunState.SnapshotEpoch"/> already names this epoch).</param>
    /// <exception cref="InvalidOperationException">The selection metric is not among the validation metrics.</exception>
    public static EpochMetrics Close(TrainerOptions options, TrainingRunState state, int epoch, EpochTotals train, EpochTotals validation,
        TimeSpan duration, out bool takeSnapshot)
    {
        bool hasValidation = validation.Count > 0;
        bool improved = false;
        if (hasValidation)
        {
            double score = options.SelectionMetric is null
                ? validation.Loss
                : validation.Metrics.TryGetValue(options.SelectionMetric, out var value)
                    ? value
                    : throw new InvalidOperationException(
                        $"the selection metric \"{options.SelectionMetric}\" is not among the validation metrics of epoch {epoch + 1} ({(validation.Metrics.Count == 0 ? "none" : string.Join(", ", validation.Metrics.Keys))})");
            bool higherIsBetter = options.SelectionMetric is not null && options.SelectionMetricHigherIsBetter;
            improved = !double.IsNaN(score) && (!state.HasValidation || state.BestEpoch < 0 || double.IsNaN(state.BestScore)
                || (higherIsBetter ? score > state.BestScore : score < state.BestScore));
            if (improved)
            {
                state.BestEpoch = epoch;
                state.BestScore = score;
                state.EpochsWithoutImprovement = 0;
            }
            else
            {
                state.EpochsWithoutImprovement++;
            }
        }
        else
        {
            state.BestEpoch = epoch;
            state.BestScore = double.NaN;
            state.EpochsWithoutImprovement = 0;
        }
        state.HasValidation = hasValidation;

        // The snapshot is what a non-finite loss rolls back to: the best epoch when that is what we would end
        // with, otherwise the latest completed epoch.
        takeSnapshot = !(hasValidation && options.RestoreBestWeights) || improved;
        if (takeSnapshot) state.SnapshotEpoch = epoch;

        var metrics = new EpochMetrics(epoch, train.Loss, hasValidation ? validation.Loss : null, train.Metrics,
            hasValidation ? validation.Metrics : new SortedDictionary<string, double>(StringComparer.Ordinal),
            train.LearningRate, duration, train.Count, improved);
        state.History.Add(metrics);
        state.CompletedEpochs = epoch + 1;

        if (hasValidation && options.EarlyStoppingPatience is { } patience && state.EpochsWithoutImprovement >= patience && epoch + 1 < options.Epochs)
        {
            state.Finished = true;
            state.StopReason = TrainingStopReason.EarlyStopped;
            string what = options.SelectionMetric is null ? "validation loss" : $"validation {options.SelectionMetric}";
            state.Message = $"{what} did not improve for {patience} epoch{(patience == 1 ? "" : "s")} after epoch {state.BestEpoch + 1}; stopped after epoch {epoch + 1}"
                + (options.RestoreBestWeights ? $" and restored the weights of epoch {state.BestEpoch + 1}" : "");
        }
        return metrics;
    }

    /// <summary>Whether the run's end (or cancellation) loads the best epoch's weights.</summary>
    public static bool RestoresBest(TrainerOptions options, TrainingRunState state) =>
        options.RestoreBestWeights && state.HasValidation && state.BestEpoch >= 0;

    /// <summary>
    /// Training that diverges (a learning rate far too high) rarely produces NaN: the loss just explodes. Compared with
    /// the first epoch's training loss, or in the first epoch with its first batch's, before the epoch is recorded, so the
    /// weights kept are those of the best (or last good) epoch. Returns the stop message, or null when the epoch did not
    /// diverge. Guarded by TrainerTests' divergence tests.
    /// </summary>
    public static string? Divergence(TrainerOptions options, TrainingRunState state, int epoch, EpochTotals train)
    {
        double reference = state.History.Count > 0 ? state.History[0].TrainLoss : train.FirstLoss;
        if (!(train.Loss > Trainer.DivergenceFactor * reference) || !(reference > 0)) return null;
        return $"training diverged: the training loss of epoch {epoch + 1} is {train.Loss:G4}, more than {Trainer.DivergenceFactor:G}× the " +
            $"{(state.History.Count > 0 ? "first epoch's" : "first batch's")} {reference:G4}; stopped and kept {KeptWeights(state)} — lower the learning rate (now {options.LearningRate:G})";
    }

    /// <summary>The message of a stop for a non-finite value (<paramref name="what"/> says which and where).</summary>
    public static string NonFinite(TrainerOptions options, TrainingRunState state, string what)
    {
        string advice = options.GradientClipNorm is null ? "lower the learning rate or enable gradient clipping" : "lower the learning rate or the gradient clip norm";
        return $"{what}; kept {KeptWeights(state)} — {advice}";
    }

    /// <summary>The message of a cancellation (or, when <paramref name="timeLimit"/>, of the time budget running out) at
    /// <paramref name="batch"/> of <paramref name="epoch"/> (−1: during validation).</summary>
    public static string Cancelled(TrainerOptions options, TrainingRunState state, int epoch, int batch, bool timeLimit)
    {
        string where = batch < 0 ? $"during validation of epoch {epoch + 1}" : $"at epoch {epoch + 1}, batch {batch + 1}";
        string what = timeLimit ? $"MaxTrainingTime ({options.MaxTrainingTime}) reached" : "cancelled";
        return $"{what} {where}; " + (RestoresBest(options, state) ? $"restored the weights of epoch {state.BestEpoch + 1}, the best" : "kept the current weights");
    }

    /// <summary>The weights a rollback restores, in words.</summary>
    private static string KeptWeights(TrainingRunState state) =>
        state.SnapshotEpoch < 0 ? "the initial weights" : $"the weights of epoch {state.SnapshotEpoch + 1}";
}
