using RnnMl.Torch.Layers;
using RnnMl.Torch.Tests.Support;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Layers;

/// <summary>
/// <see cref="RecurrentInference"/>: inside its scope, even under an outer no_grad, float32 fused layers of the hidden
/// sizes libtorch's no_grad kernel gets wrong give what the composed cells give.
/// </summary>
public class RecurrentInferenceTests
{
    [Theory]
    [InlineData(LayerKind.Lstm, 8)]
    [InlineData(LayerKind.Lstm, 16)]
    [InlineData(LayerKind.Gru, 16)]
    [InlineData(LayerKind.Lstm, 48)]
    public void Scope_UnderNoGrad_FusedFloat32EqualsComposedCells(LayerKind kind, int hidden)
    {
        using var scope = NewDisposeScope();
        using var fused = TestLayers.Create(kind, 6, hidden, batchFirst: true, backend: RecurrentBackend.Fused);
        using var composed = TestLayers.Create(kind, 6, hidden, batchFirst: true, backend: RecurrentBackend.Composed);
        // Copied rather than seeded: tests in parallel draw from torch's generator too.
        var weights = fused.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
            foreach (var (name, p) in composed.named_parameters()) p.copy_(weights[name]);
        fused.eval();
        composed.eval();
        var x = randn(2, 7, 6);
        var (expected, _) = composed.forward(x);

        Tensor actual;
        using (no_grad())
        using (RecurrentInference.Scope())
            (actual, _) = fused.forward(x);

        RnnAssert.Close(expected, actual, 1e-5, "output");
        // The scope restores the caller's mode.
        using (no_grad())
        {
            using (RecurrentInference.Scope()) Assert.True(is_grad_enabled());
            Assert.False(is_grad_enabled());
        }
    }
}
