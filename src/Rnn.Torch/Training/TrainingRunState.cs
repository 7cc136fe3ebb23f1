namespace RnnMl.Torch.Training;

/// <summary>Where a run stands between epochs: everything besides tensors that a checkpoint must carry to resume exactly.</summary>
internal sealed class TrainingRunState
{
    /// <summary>Epochs finished; the next epoch to train has this index.</summary>
    public int CompletedEpochs { get; set; }

    /// <summary>Optimizer steps taken so far, over all epochs; the schedule's clock.</summary>
    public long StepsTaken { get; set; }

    /// <summary>Batches in epoch 0, for the schedules that span the whole run; 0 while unknown or not needed.</summary>
    public long StepsPerEpoch { get; set; }

    /// <summary>Best validation epoch, or the last completed epoch without validation; −1 before any.</summary>
    public int BestEpoch { get; set; } = -1;

    /// <summary>The selection score of <see cref="BestEpoch"/> (NaN before any validation).</summary>
    public double BestScore { get; set; } = double.NaN;

    /// <summary>Whether the last completed epoch had validation batches.</summary>
    public bool HasValidation { get; set; }

    /// <summary>Consecutive epochs without improvement, for early stopping.</summary>
    public int EpochsWithoutImprovement { get; set; }

    /// <summary>Whose weights the rollback snapshot holds; −1 for the weights before training.</summary>
    public int SnapshotEpoch { get; set; } = -1;

    /// <summary>Set when the run ended for good (early stopping): resuming then returns the result without training.</summary>
    public bool Finished { get; set; }

    /// <summary>Why a finished run stopped.</summary>
    public TrainingStopReason StopReason { get; set; } = TrainingStopReason.Completed;

    /// <summary>The message of a finished run.</summary>
    public string? Message { get; set; }

    /// <summary>The completed epochs' metrics.</summary>
    public List<EpochMetrics> History { get; } = new();
}
