using TorchSharp;

namespace RnnMl.Torch;

/// <summary>
/// Workaround (TorchSharp 0.107): process-lifetime <see cref="Scalar"/> constants for per-step tensor arithmetic.
/// </summary>
/// <remarks>
/// <para>Why: an implicit conversion such as <c>a + b</c> (which calls <c>add(b, 1)</c>) or <c>addcmul_(x, y, 1)</c>
/// makes a new finalizable <see cref="Scalar"/> whose native handle is passed to libtorch as an <c>IntPtr</c>, and
/// TorchSharp does not keep the managed object alive across the call. When another thread triggers a garbage
/// collection during the native call, the finalizer may free the scalar while libtorch reads it; libtorch then fails
/// with "Expected false to be true" from <c>Scalar::toDouble</c> (seen once in CI in a float64 gradient check that
/// runs the LSTM step thousands of times while other test classes allocate; and once in a Release bench, from
/// <c>Scalar::toFloat</c> in the classifier's <c>masked_fill(padded, 0)</c> while ML.NET's evaluator scored an ensemble).
/// Scalars held in static fields are never finalized, so code that runs once per time step or per batch uses these
/// instead of literals.</para>
/// <para>Guarded by <c>CellStepUnderCollectionTests</c> (80,000 LSTM and GRU steps against a thread that collects in a
/// loop: no failure and the same values every step; with the literals back it failed) and
/// <c>PoolingUnderCollectionTests</c> (the classifier's and the numeric model's pooling, likewise). TorchSharp's own code (its optimizers' <c>step</c>, for one)
/// still creates such scalars and cannot be changed from here; the test assemblies therefore run their test classes
/// one at a time (<c>tests/TestAssemblySettings.cs</c>).</para>
/// </remarks>
internal static class PinnedScalars
{
    /// <summary>The integer 1, as the <c>alpha</c>/<c>value</c> of add and addcmul.</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>The integer −1, as the <c>value</c> of addcmul (x − y·z).</summary>
    public static readonly Scalar MinusOne = (-1).ToScalar();

    /// <summary>The integer 0, the fill of padded steps before mean pooling (and of padded ids and tags).</summary>
    public static readonly Scalar Zero = 0.ToScalar();

    /// <summary>−∞ (float64), the fill of masked attention scores and of padded steps before max pooling.</summary>
    public static readonly Scalar MinusInfinity = double.NegativeInfinity.ToScalar();

    /// <summary>The id of &lt;unk&gt; (<see cref="RnnMl.Text.Vocabulary.UnknownId"/>, int64), the fill of word dropout.</summary>
    public static readonly Scalar UnknownId = ((long)RnnMl.Text.Vocabulary.UnknownId).ToScalar();
}
