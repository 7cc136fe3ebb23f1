using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Pipeline;

/// <summary>
/// One task's part of one <c>Fit</c> call, as a plug-in to the shared fit pipeline (<see cref="Run"/>): the task reads
/// its typed rows, learns its input encoder from the training rows, creates its model, trains it through its
/// <see cref="ITrainingTask{TBatch}"/>, and binds the trained model to its output columns. Everything else (validation
/// hold-out, device, seed, time limit, cancellation, progress, warnings, disposal on failure) is the pipeline's.
/// </summary>
/// <typeparam name="TRow">One row as the task reads it: typed values, never <c>object</c>.</typeparam>
/// <typeparam name="TModel">The network.</typeparam>
/// <typeparam name="TTransformer">What <c>Fit</c> returns.</typeparam>
internal abstract class TaskFit<TRow, TModel, TTransformer> : ITaskFit<TTransformer> where TModel : nn.Module
{
    /// <summary>Reads the rows of <paramref name="data"/>; <paramref name="what"/> is "training" or "validation" (validation
    /// data must match the training data's schema, which the first call records).</summary>
    protected abstract List<TRow> Read(IDataView data, string what, FitContext context);

    /// <summary>True to hold out the last rows (text read as one stream) rather than random rows. Default false.</summary>
    protected virtual bool HoldOutLastRows => false;

    /// <summary>The most rows the hold-out may take (whatever the fraction); null for no cap. Default null.</summary>
    protected virtual int? MaxHoldOutRows => null;

    /// <summary>The error when no training rows remain.</summary>
    protected abstract string NoTrainingRows { get; }

    /// <summary>Learns the input encoder (vocabulary, …) from the training rows and encodes both sets; logs what it found.</summary>
    protected abstract void Prepare(List<TRow> train, List<TRow> valid, FitContext context);

    /// <summary>The training examples the optimizer steps through per epoch (after <see cref="Prepare"/>).</summary>
    protected abstract int TrainingExamples { get; }

    /// <summary>Creates the network, after the pipeline seeded torch.</summary>
    protected abstract TModel CreateModel(Device device);

    /// <summary>Trains <paramref name="model"/> with <paramref name="trainer"/> on the encoded rows.</summary>
    protected abstract TrainingResult Train(TModel model, Trainer trainer, IProgress<TrainingProgress> progress, CancellationToken token, Device device);

    /// <summary>Where progress goes: the log channel (once per epoch) and the user's <see cref="RecurrentTrainingOptions.Progress"/>.</summary>
    protected virtual IProgress<TrainingProgress> Progress(FitContext context) => new ChannelProgress(context.Channel, context.Options.Progress);

    /// <summary>The transformer over the trained model; takes ownership of <paramref name="model"/>.</summary>
    protected abstract TTransformer Bind(TModel model, Device device, TrainingResult result);

    /// <summary>The fit pipeline every task shares.</summary>
    public TTransformer Run(IDataView trainData, IDataView? validationData, FitContext context)
    {
        var options = context.Options;
        var train = Read(trainData, "training", context);
        List<TRow> valid;
        if (validationData is not null) valid = Read(validationData, "validation", context);
        else (train, valid) = HoldOut.Split(train, options.ValidationFraction, context.Seed, HoldOutLastRows, MaxHoldOutRows);
        if (train.Count == 0)
            throw new InvalidOperationException(NoTrainingRows);
        Prepare(train, valid, context);

        var device = DeviceSelection.Choose(EnvironmentAccess.GpuDeviceId(context.Environment), EnvironmentAccess.FallbackToCpu(context.Environment), context.Channel);
        manual_seed(context.Seed);
        var model = CreateModel(device);
        TrainingResult result;
        try
        {
            var trainerOptions = options.TrainerOptions(context.Seed, TrainingExamples);
            if (trainerOptions.Epochs != options.Epochs)
                context.Channel.Info(MessageSensitivity.None, $"{trainerOptions.Epochs} epochs instead of {options.Epochs}, to take enough optimizer steps on {TrainingExamples} rows");
            if (trainerOptions.TuneNativeAllocator && RnnMl.Torch.NativeAllocator.TuneForTraining() is { } advice)
                context.Channel.Warning(MessageSensitivity.None, advice);
            model.train();
            try
            {
                result = Train(model, Trainer.Create(trainerOptions), Progress(context), options.CancellationToken, device);
            }
            finally
            {
                model.eval();
            }
            if (result.StopReason is TrainingStopReason.NonFiniteLoss or TrainingStopReason.Cancelled or TrainingStopReason.Diverged
                || result.BestEpoch < 0)
                context.Channel.Warning(MessageSensitivity.None, result.Message ?? result.StopReason.ToString());
            else if (result.StopReason == TrainingStopReason.TimeLimitReached)
                context.Channel.Info(MessageSensitivity.None, result.Message!);
            return Bind(model, device, result);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
