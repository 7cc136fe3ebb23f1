namespace RnnMl.Text.Export;

/// <summary>The names of the input and outputs of an exported forecaster graph (shared by the exporter and the
/// libtorch-free inference library).</summary>
/// <remarks>Shapes: N windows, L lookback steps, H horizon steps, C channels, Q quantile levels; N is dynamic, C is
/// dynamic unless the model was exported with per-channel scaling (then it is fixed).</remarks>
public static class ForecasterGraphNames
{
    /// <summary>Input: the windows (N, L, C) float32, oldest step first, in the series' own units.</summary>
    public const string Window = "window";

    /// <summary>Input, only for a model with K known covariates: (N, L + H, K) float32, the covariates of the window's L steps
    /// and of the H forecast steps, in the covariates' own units (scaled inside the graph when the model was exported with
    /// covariate scaling).</summary>
    public const string Covariates = "covariates";

    /// <summary>Output: the point forecasts (N, H, C) float32, in the series' own units.</summary>
    public const string Forecast = "forecast";

    /// <summary>Output, only with a quantile head: the quantile forecasts (N, H, C, Q) float32, levels in
    /// <see cref="ForecasterModelInfo.Quantiles"/> order.</summary>
    public const string Quantiles = "quantiles";
}
