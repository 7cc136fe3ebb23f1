using RnnMl.Torch.Models;

namespace RnnMl.MLNet.Internal;

/// <summary>The columns of a forecaster: the targets it reads and, per target, its forecast, lower and upper bound columns
/// (<see cref="Outputs"/> holds 3 names per target, in target order), the known covariate columns it reads (empty for
/// none), and what a NaN in them does.</summary>
internal sealed record ForecasterColumns(string[] Targets, string[] Outputs, string[] Covariates, MissingValuePolicy MissingValues)
{
    /// <summary>Every column read per row: the targets, then the covariates.</summary>
    public string[] Read => Targets.Concat(Covariates).ToArray();
}
