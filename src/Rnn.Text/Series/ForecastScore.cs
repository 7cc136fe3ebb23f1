namespace RnnMl.Text.Series;

/// <summary>Point-forecast errors averaged over windows, horizon steps and channels (on the scale of the windows' series).</summary>
/// <param name="Mse">Mean squared error.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="Windows">Number of windows scored.</param>
public readonly record struct ForecastScore(double Mse, double Mae, int Windows)
{
    /// <summary>Scores <paramref name="forecaster"/> on every window of <paramref name="windows"/>.</summary>
    /// <remarks>MSE = (1 / (N·H·C)) Σ_{n,h,c} (ŷ − y)², MAE likewise with |ŷ − y|, N = <see cref="SlidingWindows.Count"/>.</remarks>
    public static ForecastScore Evaluate(IPointForecaster forecaster, SlidingWindows windows)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        ArgumentNullException.ThrowIfNull(windows);
        int c = windows.Channels;
        var forecast = new double[windows.Horizon * c];
        double se = 0, ae = 0;
        for (int n = 0; n < windows.Count; n++)
        {
            forecaster.Forecast(windows.Input(n), c, forecast);
            var target = windows.Target(n);
            for (int i = 0; i < forecast.Length; i++)
            {
                double d = forecast[i] - target[i];
                se += d * d;
                ae += Math.Abs(d);
            }
        }
        double count = (double)windows.Count * forecast.Length;
        return new ForecastScore(se / count, ae / count, windows.Count);
    }
}
