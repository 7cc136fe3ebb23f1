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
    private readonly Func<TOptions, ITaskFit<TTransformer>> begin;
    private readonly Func<TOptions, SchemaShape, SchemaShape> outputSchema;

    /// <summary>An estimator of a task given by its plug-in.</summary>
    /// <param name="env">The MLContext's environment.</param>
    /// <param name="options">The task's options; validated and copied here.</param>
    /// <param name="hostName">The name of the task in ML.NET's log.</param>
    /// <param name="begin">Creates the task's part of one <c>Fit</c> call.</param>
    /// <param name="outputSchema">The output shape for an input shape; throws on a missing or mistyped column.</param>
    private protected RecurrentEstimator(IHostEnvironment env, TOptions options, string hostName,
        Func<TOptions, ITaskFit<TTransformer>> begin, Func<TOptions, SchemaShape, SchemaShape> outputSchema)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        (this.env, this.hostName, this.begin, this.outputSchema) = (env, hostName, begin, outputSchema);
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
        return begin(Settings).Run(trainData, validationData, new FitContext(env, host, channel, seed, Settings));
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type (naming the expected and actual types).</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return outputSchema(Settings, inputSchema);
    }
}
