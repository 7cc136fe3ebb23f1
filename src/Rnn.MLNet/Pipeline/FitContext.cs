namespace RnnMl.MLNet.Pipeline;

/// <summary>What one <c>Fit</c> call gives its task: the host (and its random source), the log channel, the seed and the shared options.</summary>
internal sealed record FitContext(IHostEnvironment Environment, IHost Host, IChannel Channel, int Seed, RecurrentTrainingOptions Options);
