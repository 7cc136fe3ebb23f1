namespace RnnMl.MLNet.Internal;

/// <summary>The columns of a forecaster: the targets it reads and, per target, its forecast, lower and upper bound columns
/// (<see cref="Outputs"/> holds 3 names per target, in target order).</summary>
internal sealed record ForecasterColumns(string[] Targets, string[] Outputs);
