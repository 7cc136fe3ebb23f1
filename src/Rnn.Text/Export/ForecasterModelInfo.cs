using System.Globalization;
using System.Text.Json;

namespace RnnMl.Text.Export;

/// <summary>
/// What an exported forecaster needs besides its graph: lookback L, horizon H and quantile levels (the exporter takes
/// them from the model), and optionally the channel names and a per-channel z-scoring (mean μ_c, std σ_c, as ML.NET's
/// <c>ForecastByRecurrent</c> applies before its model). Stored as ONNX <c>metadata_props</c> under <c>rnnml.*</c> keys.
/// </summary>
/// <remarks>With means and stds the graph itself computes (x − μ_c)/σ_c before the model and y·σ_c + μ_c after it, so
/// its input and outputs are in the series' own units and C is fixed; the metadata repeats them for information.</remarks>
public sealed class ForecasterModelInfo
{
    /// <summary>The value of <c>rnnml.format</c>.</summary>
    public const string FormatName = "RnnMl forecaster";

    /// <summary>The value of <c>rnnml.format_version</c> written by this version.</summary>
    public const int FormatVersion = 1;

    private const string KeyLookback = "rnnml.lookback";
    private const string KeyHorizon = "rnnml.horizon";
    private const string KeyQuantiles = "rnnml.quantiles";
    private const string KeyNames = "rnnml.channel_names";
    private const string KeyMeans = "rnnml.channel_means";
    private const string KeyStds = "rnnml.channel_stds";
    private const string KeyChannels = "rnnml.channels";
    private const string KeyJoint = "rnnml.channel_mode";
    private const string KeyCovariates = "rnnml.covariates";
    private const string KeyCovariateNames = "rnnml.covariate_names";
    private const string KeyCovariateMeans = "rnnml.covariate_means";
    private const string KeyCovariateStds = "rnnml.covariate_stds";

    /// <summary>Describes the channels of a forecaster to export (L, H and the quantile levels come from the model).</summary>
    /// <param name="channelNames">One name per channel, in column order; null for unnamed channels.</param>
    /// <param name="means">Per-channel means μ_c to subtract before the model (and add back after); null for none.</param>
    /// <param name="stds">Per-channel stds σ_c &gt; 0 to divide by (and multiply back); given together with <paramref name="means"/>.</param>
    /// <param name="covariateNames">The known covariates' names, in input order; null for unnamed.</param>
    /// <param name="covariateMeans">Per-covariate means to subtract inside the graph; null for none.</param>
    /// <param name="covariateStds">Per-covariate stds &gt; 0 to divide by; given together with <paramref name="covariateMeans"/>.</param>
    /// <exception cref="ArgumentException">Counts differ, only one of means and stds, or a std not finite and &gt; 0.</exception>
    public ForecasterModelInfo(IReadOnlyList<string>? channelNames = null, IReadOnlyList<double>? means = null, IReadOnlyList<double>? stds = null,
        IReadOnlyList<string>? covariateNames = null, IReadOnlyList<double>? covariateMeans = null, IReadOnlyList<double>? covariateStds = null)
        : this(0, 0, Array.Empty<double>(), channelNames, means, stds, new ModelShape(0, false, null), covariateNames, covariateMeans, covariateStds)
    {
    }

    /// <summary>What the exporter takes from the model: K covariates, the joint mode, a fixed C.</summary>
    private sealed record ModelShape(int Covariates, bool Joint, int? Channels);

    private ForecasterModelInfo(int lookback, int horizon, IReadOnlyList<double> quantiles, IReadOnlyList<string>? channelNames,
        IReadOnlyList<double>? means, IReadOnlyList<double>? stds, ModelShape shape, IReadOnlyList<string>? covariateNames,
        IReadOnlyList<double>? covariateMeans, IReadOnlyList<double>? covariateStds)
    {
        if ((covariateMeans is null) != (covariateStds is null) || (covariateMeans is not null && covariateMeans.Count != covariateStds!.Count))
            throw new ArgumentException($"covariate means and stds go together, one per covariate: {covariateMeans?.Count} means, {covariateStds?.Count} stds", nameof(covariateStds));
        if (covariateNames is not null && covariateMeans is not null && covariateNames.Count != covariateMeans.Count)
            throw new ArgumentException($"there must be one covariate mean per covariate name: {covariateNames.Count} names, {covariateMeans.Count} means", nameof(covariateMeans));
        int? k = covariateNames?.Count ?? covariateMeans?.Count;
        if (lookback > 0 && k is int given && given != shape.Covariates)
            throw new ArgumentException($"the model reads K = {shape.Covariates} covariates, the info describes {given}", nameof(covariateNames));
        if ((covariateStds ?? []).Any(v => !(v > 0) || !double.IsFinite(v)) || (covariateMeans ?? []).Any(v => !double.IsFinite(v)))
            throw new ArgumentOutOfRangeException(nameof(covariateStds), "covariate means must be finite and stds finite and > 0");
        if (lookback > 0 && shape.Channels is int fixedC && (channelNames?.Count ?? means?.Count ?? fixedC) != fixedC)
            throw new ArgumentException($"the model takes C = {fixedC} channels, the info describes {channelNames?.Count ?? means?.Count}", nameof(channelNames));
        (Covariates, Joint, fixedChannels) = (shape.Covariates, shape.Joint, shape.Channels);
        CovariateNames = covariateNames?.ToArray();
        CovariateMeans = covariateMeans?.ToArray();
        CovariateStds = covariateStds?.ToArray();
        if ((means is null) != (stds is null))
            throw new ArgumentException($"means and stds go together, got {(means is null ? "stds only" : "means only")}", means is null ? nameof(means) : nameof(stds));
        if (means is not null && means.Count != stds!.Count)
            throw new ArgumentException($"there must be one std per mean: {means.Count} means, {stds.Count} stds", nameof(stds));
        if (channelNames is not null && means is not null && channelNames.Count != means.Count)
            throw new ArgumentException($"there must be one mean per channel name: {channelNames.Count} names, {means.Count} means", nameof(means));
        if (channelNames is not null && (channelNames.Count < 1 || channelNames.Any(n => n is null)))
            throw new ArgumentException($"channel names must name at least 1 channel, without nulls, got {channelNames.Count}", nameof(channelNames));
        for (int c = 0; c < (stds?.Count ?? 0); c++)
        {
            if (!(stds![c] > 0) || !double.IsFinite(stds[c]))
                throw new ArgumentOutOfRangeException(nameof(stds), stds[c], $"std of channel {c} must be finite and > 0, got {stds[c]}");
            if (!double.IsFinite(means![c]))
                throw new ArgumentOutOfRangeException(nameof(means), means[c], $"mean of channel {c} must be finite, got {means[c]}");
        }
        (Lookback, Horizon, Quantiles) = (lookback, horizon, quantiles.ToArray());
        ChannelNames = channelNames?.ToArray();
        Means = means?.ToArray();
        Stds = stds?.ToArray();
    }

    /// <summary>L, input steps per window (0 until exported with a model).</summary>
    public int Lookback { get; }

    /// <summary>H, forecast steps (0 until exported with a model).</summary>
    public int Horizon { get; }

    /// <summary>The quantile levels τ_1 &lt; … &lt; τ_Q of the <see cref="ForecasterGraphNames.Quantiles"/> output; empty without a quantile head.</summary>
    public IReadOnlyList<double> Quantiles { get; }

    /// <summary>The channel names, or null.</summary>
    public IReadOnlyList<string>? ChannelNames { get; }

    /// <summary>Per-channel means μ_c applied inside the graph, or null.</summary>
    public IReadOnlyList<double>? Means { get; }

    /// <summary>Per-channel stds σ_c applied inside the graph, or null.</summary>
    public IReadOnlyList<double>? Stds { get; }

    /// <summary>C when fixed by names, scaling or the joint mode; null when the graph takes any number of channels.</summary>
    public int? Channels => ChannelNames?.Count ?? Means?.Count ?? fixedChannels;

    private readonly int? fixedChannels;

    /// <summary>K, the known covariates per step the graph's <see cref="ForecasterGraphNames.Covariates"/> input holds; 0 without (no such input).</summary>
    public int Covariates { get; }

    /// <summary>Whether the model reads all channels as one sequence (joint mode; C fixed) rather than one by one.</summary>
    public bool Joint { get; }

    /// <summary>The covariates' names, or null.</summary>
    public IReadOnlyList<string>? CovariateNames { get; }

    /// <summary>Per-covariate means applied inside the graph, or null.</summary>
    public IReadOnlyList<double>? CovariateMeans { get; }

    /// <summary>Per-covariate stds applied inside the graph, or null.</summary>
    public IReadOnlyList<double>? CovariateStds { get; }

    /// <summary>A copy with the model's L, H and quantile levels.</summary>
    /// <param name="lookback">L ≥ 1.</param>
    /// <param name="horizon">H ≥ 1.</param>
    /// <param name="quantiles">The quantile levels.</param>
    /// <param name="covariates">K ≥ 0, the model's known covariates per step.</param>
    /// <param name="joint">Whether the model is in the joint channel mode.</param>
    /// <param name="channels">C when the model fixes it, else null.</param>
    /// <exception cref="ArgumentException">The info's covariates or channels do not match the model's, naming both counts.</exception>
    public ForecasterModelInfo WithModel(int lookback, int horizon, IReadOnlyList<double> quantiles, int covariates = 0, bool joint = false, int? channels = null)
    {
        if (lookback < 1) throw new ArgumentOutOfRangeException(nameof(lookback), lookback, "lookback L must be ≥ 1");
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "horizon H must be ≥ 1");
        if (covariates < 0) throw new ArgumentOutOfRangeException(nameof(covariates), covariates, "covariates K must be ≥ 0");
        ArgumentNullException.ThrowIfNull(quantiles);
        return new ForecasterModelInfo(lookback, horizon, quantiles, ChannelNames, Means, Stds, new ModelShape(covariates, joint, channels),
            CovariateNames, CovariateMeans, CovariateStds);
    }

    /// <summary>The <c>rnnml.*</c> metadata entries that describe this.</summary>
    /// <exception cref="InvalidOperationException">L and H are not set (see <see cref="WithModel"/>).</exception>
    public IReadOnlyDictionary<string, string> ToMetadata()
    {
        if (Lookback < 1 || Horizon < 1)
            throw new InvalidOperationException("lookback and horizon are not set; the exporter sets them from the model (WithModel)");
        var map = MetadataFields.NewMap(FormatName, FormatVersion);
        map[KeyLookback] = Lookback.ToString(CultureInfo.InvariantCulture);
        map[KeyHorizon] = Horizon.ToString(CultureInfo.InvariantCulture);
        map[KeyQuantiles] = Doubles(Quantiles);
        if (ChannelNames is not null) map[KeyNames] = JsonSerializer.Serialize(ChannelNames);
        if (Means is not null) map[KeyMeans] = Doubles(Means);
        if (Stds is not null) map[KeyStds] = Doubles(Stds);
        if (fixedChannels is int c) map[KeyChannels] = c.ToString(CultureInfo.InvariantCulture);
        if (Joint) map[KeyJoint] = "joint";
        if (Covariates > 0) map[KeyCovariates] = Covariates.ToString(CultureInfo.InvariantCulture);
        if (CovariateNames is not null) map[KeyCovariateNames] = JsonSerializer.Serialize(CovariateNames);
        if (CovariateMeans is not null) map[KeyCovariateMeans] = Doubles(CovariateMeans);
        if (CovariateStds is not null) map[KeyCovariateStds] = Doubles(CovariateStds);
        return map;
    }

    /// <summary>Reads what <see cref="ToMetadata"/> wrote.</summary>
    /// <param name="metadata">A model's metadata entries (other keys are ignored).</param>
    /// <exception cref="InvalidDataException">An entry is missing or not valid; the message names it.</exception>
    public static ForecasterModelInfo FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var get = MetadataFields.CheckFormat(metadata, FormatName, FormatVersion);
        get(KeyLookback);
        get(KeyHorizon);
        int lookback = MetadataFields.ReadInt(metadata, KeyLookback, 1)!.Value;
        int horizon = MetadataFields.ReadInt(metadata, KeyHorizon, 1)!.Value;
        var quantiles = Json<double[]>(KeyQuantiles, get(KeyQuantiles));
        for (int j = 0; j < quantiles.Length; j++)
            if (!(quantiles[j] > 0 && quantiles[j] < 1) || (j > 0 && !(quantiles[j] > quantiles[j - 1])))
                throw new InvalidDataException($"'{KeyQuantiles}' must be strictly increasing levels in (0, 1), got {get(KeyQuantiles)}");
        var names = metadata.TryGetValue(KeyNames, out var n) ? Json<string[]>(KeyNames, n) : null;
        var means = metadata.TryGetValue(KeyMeans, out var m) ? Json<double[]>(KeyMeans, m) : null;
        var stds = metadata.TryGetValue(KeyStds, out var s) ? Json<double[]>(KeyStds, s) : null;
        var shape = new ModelShape(MetadataFields.ReadInt(metadata, KeyCovariates, 1) ?? 0,
            metadata.TryGetValue(KeyJoint, out var mode) && mode == "joint", MetadataFields.ReadInt(metadata, KeyChannels, 1));
        var covariateNames = metadata.TryGetValue(KeyCovariateNames, out var cn) ? Json<string[]>(KeyCovariateNames, cn) : null;
        var covariateMeans = metadata.TryGetValue(KeyCovariateMeans, out var cm) ? Json<double[]>(KeyCovariateMeans, cm) : null;
        var covariateStds = metadata.TryGetValue(KeyCovariateStds, out var cs) ? Json<double[]>(KeyCovariateStds, cs) : null;
        try { return new ForecasterModelInfo(lookback, horizon, quantiles, names, means, stds, shape, covariateNames, covariateMeans, covariateStds); }
        catch (ArgumentException e) { throw new InvalidDataException($"the channel entries are inconsistent: {e.Message}", e); }
    }

    private static string Doubles(IReadOnlyList<double> values)
        => "[" + string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    private static T Json<T>(string key, string text) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(text) ?? throw new InvalidDataException($"'{key}' is null"); }
        catch (JsonException e) { throw new InvalidDataException($"'{key}' is not a JSON array of the expected kind: {e.Message}", e); }
    }
}
