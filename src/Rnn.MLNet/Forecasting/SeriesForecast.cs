namespace RnnMl.MLNet.Forecasting;

/// <summary>The forecast of the H steps after a history, per target: <c>Forecast[c][h]</c> is target c at step h + 1 after the
/// history's last row, with its interval [<c>LowerBound[c][h]</c>, <c>UpperBound[c][h]</c>].</summary>
/// <param name="Forecast">The point forecast, one array of H values per target.</param>
/// <param name="LowerBound">The lower bound (quantile (1 − c)/2), one array of H values per target.</param>
/// <param name="UpperBound">The upper bound (quantile (1 + c)/2), one array of H values per target.</param>
public sealed record SeriesForecast(float[][] Forecast, float[][] LowerBound, float[][] UpperBound);
