using RnnMl.MLNet.Forecasting;

namespace RnnMl.MLNet;

/// <summary>The recurrent forecaster on ML.NET's forecasting catalog (beside <c>ForecastBySsa</c>).</summary>
/// <example>
/// <code>
/// var estimator = ml.Forecasting.ForecastByRecurrent(new RecurrentForecasterOptions { TargetColumnNames = ["Load", "Temperature"], Horizon = 24 });
/// </code>
/// </example>
public static class RecurrentForecastingCatalog
{
    /// <summary>A recurrent forecaster of one or more Single columns (rows in order are time steps). Adds per target T the
    /// columns T+"Forecast", T+"LowerBound" and T+"UpperBound", <c>Vector&lt;Single, H&gt;</c> each.</summary>
    /// <param name="catalog"><c>mlContext.Forecasting</c>.</param>
    /// <param name="targetColumnNames">The targets (channels), Single columns. Default ["Value"].</param>
    /// <param name="lookback">L, rows a forecast is made from; a multiple of <paramref name="segmentLength"/>. Default 336.</param>
    /// <param name="horizon">H, steps forecast at once. Default 24.</param>
    /// <param name="segmentLength">w, steps per segment. Default 24.</param>
    /// <param name="confidenceLevel">The interval's nominal coverage, in (0, 1). Default 0.9.</param>
    /// <param name="epochs">Training epochs at most. Default 30.</param>
    public static RecurrentForecasterEstimator ForecastByRecurrent(this ForecastingCatalog catalog, string[]? targetColumnNames = null,
        int lookback = 336, int horizon = 24, int segmentLength = 24, double confidenceLevel = 0.9, int epochs = 30)
        => ForecastByRecurrent(catalog, new RecurrentForecasterOptions
        {
            TargetColumnNames = targetColumnNames ?? ["Value"], Lookback = lookback, Horizon = horizon, SegmentLength = segmentLength,
            ConfidenceLevel = confidenceLevel, Epochs = epochs,
        });

    /// <summary>A recurrent forecaster with all options.</summary>
    /// <param name="catalog"><c>mlContext.Forecasting</c>.</param>
    /// <param name="options">The options; validated here.</param>
    public static RecurrentForecasterEstimator ForecastByRecurrent(this ForecastingCatalog catalog, RecurrentForecasterOptions options)
        => new(EnvironmentAccess.From(catalog), options);
}
