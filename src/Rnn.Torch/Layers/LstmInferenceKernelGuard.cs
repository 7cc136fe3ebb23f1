using System.Collections.Concurrent;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Layers;

/// <summary>
/// WORKAROUND for libtorch 2.10's CPU LSTM inference kernel: with autograd off and an unpacked input, <c>nn.LSTM</c>
/// takes a oneDNN inference kernel that is wrong for some shapes. On this project's machines (float32) it is off by
/// 0.01–0.35 whenever H mod 32 is in 1…16 (so H = 1–16, 33–48, 65–80, …) and exact for every other H, for any N, T,
/// I; float64, autograd on (even with frozen parameters) and packed input are always exact. The faulty set depends on
/// the CPU's vector width, so no fixed rule is trusted: the first inference call of each configuration (I, H, bias,
/// dtype, device) runs a self-check, the unpacked kernel without autograd against the same module with autograd on a
/// small deterministic batch, and caches the verdict for the process (thread-safe). Configurations that fail it run
/// through libtorch's packed path with every sequence at full length (<see cref="FusedSlots.Run"/>); the others keep
/// the fast kernel.
/// </summary>
/// <remarks>
/// Guarded by <c>RecurrentLayerParityTests.FusedLstm_WithoutAutogradOrLengths_EqualsComposed_AtEveryHiddenSize</c>
/// (hidden 6, 8, 16, 48 fail without this guard; 24, 32, 64 pass either way) and
/// <c>LstmInferenceGuardTests</c>. The check uses no random numbers, so it never shifts the seeded generator.
/// </remarks>
internal static class LstmInferenceKernelGuard
{
    private static readonly ConcurrentDictionary<(long Input, long Hidden, bool Bias, ScalarType Dtype, string Device), Lazy<bool>> Verdicts = new();

    /// <summary>True when a single-layer unidirectional <c>nn.LSTM</c> of this configuration gives the LSTM equations'
    /// numbers without autograd on unpacked input.</summary>
    public static bool IsExact(long inputSize, long hidden, bool bias, ScalarType dtype, Device device)
    {
        var key = (inputSize, hidden, bias, dtype, device.ToString());
        return Verdicts.GetOrAdd(key, k => new Lazy<bool>(() => SelfCheck(k.Input, k.Hidden, k.Bias, k.Dtype, device),
            LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    private static bool SelfCheck(long input, long hidden, bool bias, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        // A throw-away module whose weights are filled deterministically below (building it draws from the global
        // generator, so its state is saved and restored around it).
        var saved = random.get_rng_state();
        LSTM probe;
        try
        {
            probe = nn.LSTM(input, hidden, 1, bias, false, 0.0, false, device, dtype);
        }
        finally
        {
            random.set_rng_state(saved);
        }
        using (probe)
        {
            using (no_grad())
            {
                long offset = 0;
                foreach (var (_, p) in probe.named_parameters())
                {
                    p.copy_(Wave(p.shape, offset, 0.6 / Math.Sqrt(hidden), dtype, device));
                    offset += p.numel();
                }
            }
            const long T = 3, N = 2;
            var x = Wave([T, N, input], 7, 1.0, dtype, device);
            Tensor fast, exact;
            using (no_grad()) fast = probe.call(x).Item1;
            using (enable_grad()) exact = probe.call(x).Item1.detach();
            double difference = (fast - exact).abs().max().to(ScalarType.Float64).item<double>();
            double tolerance = dtype == ScalarType.Float64 ? 1e-10 : 1e-4;
            return difference <= tolerance;
        }
    }

    /// <summary>amplitude · sin(1.3·(offset + i) + 0.5) over the flat index i: deterministic, varied values.</summary>
    private static Tensor Wave(long[] shape, long offset, double amplitude, ScalarType dtype, Device device)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        using var index = arange(offset, offset + count, ScalarType.Float64, device);
        return ((index * 1.3 + 0.5).sin() * amplitude).to(dtype).reshape(shape);
    }
}
