namespace RnnMl.MLNet.Forecasting;

/// <summary>
/// Trains a recurrent forecaster (SegRNN-style: per-window subtract-last normalisation, segments of w steps projected to
/// the hidden size, one GRU over the segments, all H steps at once, a quantile head for the interval; channel-independent,
/// weights shared by all targets) inside an ML.NET pipeline. Rows in order are time steps, as <c>ForecastBySsa</c> reads
/// them; the last <see cref="RecurrentTrainingOptions.ValidationFraction"/> of them validate. Created by
/// <c>mlContext.Forecasting.ForecastByRecurrent(...)</c>. The best epoch is the one with the lowest validation loss
/// (MSE + pinball).
/// </summary>
/// <example>
/// <code>
/// var forecaster = ml.Forecasting.ForecastByRecurrent(targetColumnNames: ["Load"], lookback: 168, horizon: 24, segmentLength: 24).Fit(history);
/// var next = forecaster.Forecast(lastWeek); // next.Forecast[0][h], next.LowerBound[0][h], next.UpperBound[0][h]
/// </code>
/// </example>
public sealed class RecurrentForecasterEstimator : RecurrentEstimator<RecurrentForecasterOptions, RecurrentForecasterTransformer>
{
    internal RecurrentForecasterEstimator(IHostEnvironment env, RecurrentForecasterOptions options)
        : base(env, options, "RnnMl.RecurrentForecaster", o => new ForecasterFit(o), ForecasterFit.OutputSchema)
    {
    }
}
