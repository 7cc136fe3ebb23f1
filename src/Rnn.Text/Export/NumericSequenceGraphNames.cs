namespace RnnMl.Text.Export;

/// <summary>The names of the inputs and outputs of an exported numeric-sequence model graph (shared by the exporter and
/// the libtorch-free inference library).</summary>
/// <remarks>Shapes: N batch, T time steps, F features per step, K outputs; N and T are dynamic.</remarks>
public static class NumericSequenceGraphNames
{
    /// <summary>Input: the sequences (N, T, F) float32, batch-first, in the data's own units; steps past a row's length are ignored.</summary>
    public const string Values = "values";

    /// <summary>Input: valid lengths (N) int64, each in [1, T].</summary>
    public const string Lengths = "lengths";

    /// <summary>Output: (N, K) float32: the regression targets (in the label's units) or the class logits.</summary>
    public const string Scores = "scores";

    /// <summary>Output, classification only: the softmax of the scores (N, K) float32.</summary>
    public const string Probabilities = "probabilities";
}
