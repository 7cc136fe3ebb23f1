using System.Globalization;
using System.Text.Json;

namespace RnnMl.Text.Export;

/// <summary>
/// What an exported numeric-sequence model needs besides its graph: F features per step, K outputs and whether they are
/// class scores (the exporter takes these from the model), and optionally the per-feature standardisation (μ_f, σ_f), the
/// regression label's scaling (μ_y, σ_y), the class names and whether missing values are forward-filled, as ML.NET's
/// <c>RecurrentNumericSequence</c> trainers apply them. Stored as ONNX <c>metadata_props</c> under <c>rnnml.*</c> keys.
/// </summary>
/// <remarks>The graph itself computes (x − μ_f)/σ_f before the model and, for regression, y·σ_y + μ_y after it, so its
/// input and outputs are in the data's own units; the metadata repeats them for information. Forward-filling is done by
/// the caller (RnnMl.Onnx's <c>OnnxNumericSequenceModel</c> does it when <see cref="ForwardFill"/> is set).</remarks>
public sealed class NumericSequenceModelInfo
{
    /// <summary>The value of <c>rnnml.format</c>.</summary>
    public const string FormatName = "RnnMl numeric sequence model";

    /// <summary>The value of <c>rnnml.format_version</c> written by this version.</summary>
    public const int FormatVersion = 1;

    /// <summary>Describes the scaling and labels of a numeric-sequence model to export (F, K and the head come from the model).</summary>
    /// <param name="featureMeans">μ_f per feature, subtracted inside the graph; null for none.</param>
    /// <param name="featureStds">σ_f &gt; 0 per feature, divided by inside the graph; given together with <paramref name="featureMeans"/>.</param>
    /// <param name="labelMean">μ_y added to regression outputs inside the graph. Default 0.</param>
    /// <param name="labelStd">σ_y &gt; 0 multiplying regression outputs inside the graph. Default 1.</param>
    /// <param name="classNames">The classes' names, in class order (classification); null for none.</param>
    /// <param name="forwardFill">Whether missing values are forward-filled before the graph (else refused). Default false.</param>
    /// <exception cref="ArgumentException">Only one of means and stds, counts differ, a value is not finite or a std not &gt; 0.</exception>
    public NumericSequenceModelInfo(IReadOnlyList<double>? featureMeans = null, IReadOnlyList<double>? featureStds = null, double labelMean = 0, double labelStd = 1,
        IReadOnlyList<string>? classNames = null, bool forwardFill = false)
        : this(0, 0, false, featureMeans, featureStds, labelMean, labelStd, classNames, forwardFill)
    {
    }

    private NumericSequenceModelInfo(int featuresPerStep, int outputs, bool classification, IReadOnlyList<double>? means, IReadOnlyList<double>? stds,
        double labelMean, double labelStd, IReadOnlyList<string>? classNames, bool forwardFill)
    {
        if ((means is null) != (stds is null))
            throw new ArgumentException($"feature means and stds go together, got {(means is null ? "stds only" : "means only")}", means is null ? "featureMeans" : "featureStds");
        if (means is not null && means.Count != stds!.Count)
            throw new ArgumentException($"there must be one std per mean: {means.Count} means, {stds.Count} stds", "featureStds");
        for (int f = 0; f < (stds?.Count ?? 0); f++)
            if (!double.IsFinite(means![f]) || !double.IsFinite(stds![f]) || !(stds[f] > 0))
                throw new ArgumentOutOfRangeException("featureStds", $"feature {f} must have a finite mean and a finite std > 0, got {means[f]} and {stds![f]}");
        if (!double.IsFinite(labelMean) || !double.IsFinite(labelStd) || !(labelStd > 0))
            throw new ArgumentOutOfRangeException(nameof(labelStd), $"the label's mean must be finite and its std finite and > 0, got {labelMean} and {labelStd}");
        if (classNames is not null && classNames.Any(n => n is null))
            throw new ArgumentException("class names must not be null", nameof(classNames));
        if (featuresPerStep > 0)
        {
            if (means is not null && means.Count != featuresPerStep)
                throw new ArgumentException($"there must be one mean per feature: the model has F = {featuresPerStep}, got {means.Count} means", "featureMeans");
            if (classNames is not null && (!classification || classNames.Count != outputs))
                throw new ArgumentException($"class names must name the model's {(classification ? outputs : 0)} classes, got {classNames.Count}", nameof(classNames));
            if (classification && (labelMean != 0 || labelStd != 1))
                throw new ArgumentException($"a classifier has no label scaling, got mean {labelMean} and std {labelStd}", nameof(labelStd));
        }
        (FeaturesPerStep, Outputs, Classification, LabelMean, LabelStd, ForwardFill) = (featuresPerStep, outputs, classification, labelMean, labelStd, forwardFill);
        (FeatureMeans, FeatureStds, ClassNames) = (means?.ToArray(), stds?.ToArray(), classNames?.ToArray());
    }

    /// <summary>F, values per time step (0 until exported with a model).</summary>
    public int FeaturesPerStep { get; }

    /// <summary>K, regression targets or classes (0 until exported with a model).</summary>
    public int Outputs { get; }

    /// <summary>True when the outputs are class scores (then the graph also has <see cref="NumericSequenceGraphNames.Probabilities"/>).</summary>
    public bool Classification { get; }

    /// <summary>μ_f per feature applied inside the graph, or null.</summary>
    public IReadOnlyList<double>? FeatureMeans { get; }

    /// <summary>σ_f per feature applied inside the graph, or null.</summary>
    public IReadOnlyList<double>? FeatureStds { get; }

    /// <summary>μ_y, added to regression outputs inside the graph.</summary>
    public double LabelMean { get; }

    /// <summary>σ_y, multiplying regression outputs inside the graph.</summary>
    public double LabelStd { get; }

    /// <summary>The class names, or null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Whether missing values are forward-filled before the graph (else refused).</summary>
    public bool ForwardFill { get; }

    /// <summary>A copy with the model's F, K and head.</summary>
    /// <param name="featuresPerStep">F ≥ 1.</param>
    /// <param name="outputs">K ≥ 1 (≥ 2 for classification).</param>
    /// <param name="classification">Whether the outputs are class scores.</param>
    /// <exception cref="ArgumentException">The scaling or the class names do not fit the model.</exception>
    public NumericSequenceModelInfo WithModel(int featuresPerStep, int outputs, bool classification)
    {
        if (featuresPerStep < 1) throw new ArgumentOutOfRangeException(nameof(featuresPerStep), featuresPerStep, "features per step F must be ≥ 1");
        if (outputs < (classification ? 2 : 1)) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, $"outputs K must be ≥ {(classification ? 2 : 1)}");
        return new NumericSequenceModelInfo(featuresPerStep, outputs, classification, FeatureMeans, FeatureStds, LabelMean, LabelStd, ClassNames, ForwardFill);
    }

    /// <summary>The <c>rnnml.*</c> metadata entries that describe this.</summary>
    /// <exception cref="InvalidOperationException">F and K are not set (see <see cref="WithModel"/>).</exception>
    public IReadOnlyDictionary<string, string> ToMetadata()
    {
        if (FeaturesPerStep < 1)
            throw new InvalidOperationException("features per step and outputs are not set; the exporter sets them from the model (WithModel)");
        var map = MetadataFields.NewMap(FormatName, FormatVersion);
        map["rnnml.features_per_step"] = FeaturesPerStep.ToString(CultureInfo.InvariantCulture);
        map["rnnml.outputs"] = Outputs.ToString(CultureInfo.InvariantCulture);
        map["rnnml.head"] = Classification ? "Classification" : "Regression";
        map["rnnml.missing_values"] = ForwardFill ? "ForwardFill" : "Error";
        map["rnnml.label_scaling"] = Doubles([LabelMean, LabelStd]);
        if (FeatureMeans is not null) map["rnnml.feature_means"] = Doubles(FeatureMeans);
        if (FeatureStds is not null) map["rnnml.feature_stds"] = Doubles(FeatureStds);
        if (ClassNames is not null) map["rnnml.class_names"] = JsonSerializer.Serialize(ClassNames);
        return map;
    }

    /// <summary>Reads what <see cref="ToMetadata"/> wrote.</summary>
    /// <param name="metadata">A model's metadata entries (other keys are ignored).</param>
    /// <exception cref="InvalidDataException">An entry is missing or not valid; the message names it.</exception>
    public static NumericSequenceModelInfo FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var get = MetadataFields.CheckFormat(metadata, FormatName, FormatVersion);
        get("rnnml.features_per_step");
        get("rnnml.outputs");
        int f = MetadataFields.ReadInt(metadata, "rnnml.features_per_step", 1)!.Value;
        int k = MetadataFields.ReadInt(metadata, "rnnml.outputs", 1)!.Value;
        bool classification = get("rnnml.head") switch
        {
            "Classification" => true,
            "Regression" => false,
            var other => throw new InvalidDataException($"'rnnml.head' must be Regression or Classification, got '{other}'"),
        };
        bool fill = get("rnnml.missing_values") switch
        {
            "ForwardFill" => true,
            "Error" => false,
            var other => throw new InvalidDataException($"'rnnml.missing_values' must be Error or ForwardFill, got '{other}'"),
        };
        var label = Json<double[]>("rnnml.label_scaling", get("rnnml.label_scaling"));
        if (label.Length != 2) throw new InvalidDataException($"'rnnml.label_scaling' must be [mean, std], got {label.Length} values");
        var means = metadata.TryGetValue("rnnml.feature_means", out var m) ? Json<double[]>("rnnml.feature_means", m) : null;
        var stds = metadata.TryGetValue("rnnml.feature_stds", out var s) ? Json<double[]>("rnnml.feature_stds", s) : null;
        var names = metadata.TryGetValue("rnnml.class_names", out var n) ? Json<string[]>("rnnml.class_names", n) : null;
        try { return new NumericSequenceModelInfo(f, k, classification, means, stds, label[0], label[1], names, fill); }
        catch (ArgumentException e) { throw new InvalidDataException($"the numeric-sequence entries are inconsistent: {e.Message}", e); }
    }

    private static string Doubles(IReadOnlyList<double> values)
        => "[" + string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    private static T Json<T>(string key, string text) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(text) ?? throw new InvalidDataException($"'{key}' is null"); }
        catch (JsonException e) { throw new InvalidDataException($"'{key}' is not a JSON array of the expected kind: {e.Message}", e); }
    }
}
