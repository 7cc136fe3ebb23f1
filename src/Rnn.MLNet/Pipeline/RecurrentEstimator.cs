using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace RnnMl.MLNet.Pipeline;

/// <summary>
/// The ML.NET estimator every RnnMl task shares: validates and copies the options, and runs one fit pipeline (read
/// typed rows, hold out validation rows, learn the input encoder, choose device and seed, train with progress, log,
/// cancellation and <see cref="RecurrentTrainingOptions.MaxTrainingTime"/>, bind the output columns). A task supplies
/// its plug-in (<c>TaskFit</c>) and its output schema.
/// </summary>
/// <typeparam name="TOptions">The task's options.</typeparam>
/// <typeparam name="TTransformer">The trained transformer.</typeparam>
public abstract class RecurrentEstimator<TOptions, TTransformer> : IEstimator<TTransformer>
    where TOptions : RecurrentTrainingOptions
    where TTransformer : class, ITransformer
{
    private readonly IHostEnvironment env;
    private readonly string hostName;

    private protected RecurrentEstimator(IHostEnvironment env, TOptions options, string hostName)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.env = env;
        this.hostName = hostName;
        Settings = (TOptions)options.CloneOptions();
    }

    /// <summary>A copy of the options this estimator uses.</summary>
    public TOptions Options => (TOptions)Settings.CloneOptions();

    /// <summary>The estimator's own copy of the options.</summary>
    private protected TOptions Settings { get; }

    /// <inheritdoc />
    public TTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>Trains on <paramref name="trainData"/>, selecting the best epoch (and stopping early) on <paramref name="validationData"/>.</summary>
    /// <param name="trainData">Rows with the task's input (and label or target) columns.</param>
    /// <param name="validationData">Rows for validation; null to hold out <see cref="RecurrentTrainingOptions.ValidationFraction"/> of the training rows.</param>
    /// <returns>The trained transformer, with the weights of the best validation epoch.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type (naming the expected and actual types).</exception>
    /// <exception cref="InvalidOperationException">No usable training rows, or a GPU was asked for and is absent.</exception>
    public TTransformer Fit(IDataView trainData, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        var host = env.Register(hostName);
        using var channel = host.Start("Training");
        int seed = Settings.Seed ?? host.Rand.Next();
        return Run(trainData, validationData, new FitContext(env, host, channel, seed, Settings));
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type (naming the expected and actual types).</exception>
    public abstract SchemaShape GetOutputSchema(SchemaShape inputSchema);

    /// <summary>Runs the task's plug-in through the pipeline (<c>new TaskFit(...).Run(...)</c>).</summary>
    private protected abstract TTransformer Run(IDataView trainData, IDataView? validationData, FitContext context);
}
