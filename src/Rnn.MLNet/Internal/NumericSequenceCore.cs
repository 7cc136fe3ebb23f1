using RnnMl.Text.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>
/// The trained numeric-sequence network and the standardisation it was trained with; scores batches of sequences. Safe
/// to call from several threads at once (the model stays in evaluation mode).
/// </summary>
/// <remarks>Feature f of every step becomes (x − μ_f)/σ_f before the model; a regression output y becomes
/// y·σ_y + μ_y after it (μ_y = 0, σ_y = 1 for classifiers).</remarks>
internal sealed class NumericSequenceCore : TaskCore<NumericSequenceModel>
{
    public NumericSequenceCore(NumericSequenceModel model, double[] featureMeans, double[] featureStds, double labelMean, double labelStd, bool forwardFill, Device device)
        : base(model, device, "RecurrentNumericSequenceTransformer")
    {
        (FeatureMeans, FeatureStds, LabelMean, LabelStd, ForwardFill) = (featureMeans, featureStds, labelMean, labelStd, forwardFill);
    }

    public double[] FeatureMeans { get; }
    public double[] FeatureStds { get; }
    public double LabelMean { get; }
    public double LabelStd { get; }
    public bool ForwardFill { get; }
    public int FeaturesPerStep => Model.Options.FeaturesPerStep;
    public int Outputs => Model.Options.Outputs;

    /// <summary>A row's values, checked (length, missing values) and filled; errors are <see cref="InvalidDataException"/>s naming the row.</summary>
    public float[] Prepare(float[] values, long row) =>
        NumericSteps.Prepare(values, FeaturesPerStep, ForwardFill, $"row {row}", m => new InvalidDataException(m));

    /// <summary>(x − μ_f)/σ_f for every step of a prepared row.</summary>
    public float[] Standardise(float[] values) => Standardise(values, FeatureMeans, FeatureStds);

    /// <summary>(x − μ_f)/σ_f for every step of a row, f = k mod F.</summary>
    public static float[] Standardise(float[] values, double[] means, double[] stds)
    {
        int f = means.Length;
        var z = new float[values.Length];
        for (int k = 0; k < values.Length; k++) z[k] = (float)((values[k] - means[k % f]) / stds[k % f]);
        return z;
    }

    /// <summary>The outputs of a batch of prepared rows: K regression targets in the label's units, or K class logits.</summary>
    public float[][] Score(IReadOnlyList<float[]> rows)
    {
        using var lease = Gate.Enter();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (values, lengths) = NumericSequenceBatch.Create(rows.Select(Standardise).ToList(), FeaturesPerStep, device: Device);
        var flat = Model.forward(values, lengths).to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        int k = Outputs;
        var result = new float[rows.Count][];
        for (int i = 0; i < rows.Count; i++)
        {
            result[i] = flat.AsSpan(i * k, k).ToArray();
            if (Model.Options.Head == NumericSequenceHead.Regression)
                for (int j = 0; j < k; j++) result[i][j] = (float)(result[i][j] * LabelStd + LabelMean);
        }
        return result;
    }
}
