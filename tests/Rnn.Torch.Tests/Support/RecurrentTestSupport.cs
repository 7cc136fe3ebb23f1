using System.Text.RegularExpressions;
using RnnMl.Torch.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Support;

/// <summary>The three built-in layer kinds, so that one test can run over all of them.</summary>
public enum LayerKind
{
    Lstm,
    Gru,
    Rnn,
}

/// <summary>Builds layers and inputs for the tests.</summary>
internal static class TestLayers
{
    public static RecurrentLayer Create(LayerKind kind, int inputSize, int hiddenSize, int numLayers = 1, bool bias = true,
        bool batchFirst = false, double dropout = 0.0, bool bidirectional = false,
        RecurrentBackend backend = RecurrentBackend.Composed, ScalarType? dtype = null)
        => kind switch
        {
            LayerKind.Lstm => Lstm.Create(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, backend, dtype),
            LayerKind.Gru => Gru.Create(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, backend, dtype),
            _ => Rnn.Create(inputSize, hiddenSize, numLayers, RnnMl.Torch.Cells.RnnNonlinearity.Tanh, bias, batchFirst, dropout, bidirectional, backend, dtype),
        };

    /// <summary>A random input of T steps and N sequences in the layer's layout.</summary>
    public static Tensor Input(RecurrentLayer layer, long steps, long batch, ScalarType? dtype = null)
        => layer.BatchFirst
            ? randn(batch, steps, layer.InputSize, dtype ?? layer.parameters().First().dtype)
            : randn(steps, batch, layer.InputSize, dtype ?? layer.parameters().First().dtype);

    /// <summary>A zero state of the layer's shape (L·D, N, H); c too for a two-tensor state.</summary>
    public static RecurrentState ZeroState(RecurrentLayer layer, long batch)
    {
        var dtype = layer.parameters().First().dtype;
        long rows = (long)layer.NumLayers * layer.Directions;
        return new RecurrentState(zeros(rows, batch, layer.HiddenSize, dtype),
            layer.StateCount == 2 ? zeros(rows, batch, layer.HiddenSize, dtype) : null);
    }

    /// <summary>Steps t of sequence n: (T', I) → selects from (T, N, ·) or (N, T, ·).</summary>
    public static Tensor Sequence(Tensor batch, bool batchFirst, long n, long steps)
        => batchFirst ? batch[TensorIndex.Single(n), TensorIndex.Slice(0, steps)] : batch[TensorIndex.Slice(0, steps), TensorIndex.Single(n)];

    /// <summary>Wraps a single sequence (T', I) as a batch of one in the layout.</summary>
    public static Tensor AsBatchOfOne(Tensor sequence, bool batchFirst) => sequence.unsqueeze(batchFirst ? 0 : 1);
}

/// <summary>Assertions on tensors and on exception messages.</summary>
internal static class RnnAssert
{
    /// <summary>max |expected − actual| ≤ tolerance, shapes equal.</summary>
    public static void Close(Tensor expected, Tensor actual, double tolerance, string what = "")
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        double diff = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(diff <= tolerance, $"{what}: max |difference| {diff:E3} exceeds {tolerance:E1}");
    }

    /// <summary>Same shape and bit-for-bit the same values.</summary>
    public static void Equal(Tensor expected, Tensor actual, string what = "")
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        double diff = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(expected.eq(actual).all().item<bool>(), $"{what}: tensors differ, max |difference| {diff:E3}");
    }

    /// <summary>
    /// The message mentions every token as a whole word (so "3" is not satisfied by "32"), e.g. both the expected and
    /// the actual value.
    /// </summary>
    public static void Mentions(Exception ex, params string[] tokens)
    {
        foreach (var token in tokens)
        {
            var pattern = "(?<![0-9A-Za-z_])" + Regex.Escape(token) + "(?![0-9A-Za-z_]|\\.[0-9])";
            Assert.True(Regex.IsMatch(ex.Message, pattern), $"expected the message to mention '{token}', got: {ex.Message}");
        }
    }

    /// <summary>Asserts an ArgumentException (or a subclass) naming <paramref name="paramName"/> and mentioning every token.</summary>
    public static ArgumentException Throws(string paramName, Action action, params string[] tokens)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(action);
        Assert.Equal(paramName, ex.ParamName);
        Mentions(ex, tokens);
        return ex;
    }
}
