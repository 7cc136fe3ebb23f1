using RnnMl.Torch.Cells;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using PackedSequence = TorchSharp.torch.nn.utils.rnn.PackedSequence;

namespace RnnMl.Torch.Layers;

/// <summary>
/// The libtorch fused modules behind a built-in layer: one single-layer, single-direction, time-major module per slot
/// (layer·D + direction). They own the parameter storage; the layer registers the very same Parameter objects under
/// PyTorch's names and its cells hold them too, so every backend reads the same values and accumulates into the same
/// gradients.
/// </summary>
/// <remarks>
/// One module per slot (rather than one L-layer bidirectional module) is what lets the layer run any slot's weights in
/// the forward direction on input it has reversed itself: the reverse direction on ragged batches (reversed within each
/// sequence's own length) and on packed batches both need that. Reverse slots always run on time-reversed input.
/// </remarks>
internal sealed class FusedSlots : IDisposable
{
    private readonly nn.Module[] modules;
    private readonly bool bias;
    private readonly long hidden;
    private bool disposed;

    public FusedSlots(FusedKind kind, RecurrentLayerOptions options, RnnNonlinearity nonlinearity, ScalarType dtype, Device? device)
    {
        Kind = kind;
        bias = options.Bias;
        hidden = options.HiddenSize;
        int dirs = options.Bidirectional ? 2 : 1;
        modules = new nn.Module[options.NumLayers * dirs];
        for (int slot = 0; slot < modules.Length; slot++)
        {
            int input = slot < dirs ? options.InputSize : options.HiddenSize * dirs;
            int h = options.HiddenSize;
            modules[slot] = kind switch
            {
                FusedKind.Lstm => nn.LSTM(input, h, 1, bias, false, 0.0, false, device, dtype),
                FusedKind.Gru => nn.GRU(input, h, 1, bias, false, 0.0, false, device, dtype),
                FusedKind.Rnn => nn.RNN(input, h, 1,
                    nonlinearity == RnnNonlinearity.ReLU ? nn.NonLinearities.ReLU : nn.NonLinearities.Tanh,
                    bias, false, 0.0, false, device, dtype),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"no fused module for {kind}"),
            };
        }
    }

    public FusedKind Kind { get; }

    public int Count => modules.Length;

    /// <summary>The parameter of slot <paramref name="slot"/> named <paramref name="baseName"/> (weight_ih, weight_hh, bias_ih, bias_hh).</summary>
    public Parameter Parameter(int slot, string baseName)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var p = modules[slot].named_parameters().First(p => p.name == baseName + "_l0").parameter;
        p.DetachFromDisposeScope();
        return p;
    }

    /// <summary>
    /// Runs slot <paramref name="slot"/> forward in time over <paramref name="x"/> (T, N, F) from h0/c0 (1, N, H) each,
    /// or zeros when null. Returns the output (T, N, H) and the final h and c (1, N, H); c is null but for LSTM.
    /// </summary>
    public (Tensor Output, Tensor H, Tensor? C) Run(int slot, Tensor x, Tensor? h0, Tensor? c0)
    {
        if (Kind == FusedKind.Lstm && !is_grad_enabled() && !LstmInferenceKernelGuard.IsExact(x.shape[2], hidden, bias, x.dtype, x.device))
            return RunAroundFaultyLstmInferenceKernel(slot, x, h0, c0);
        return Call(modules[slot], lstm => lstm.call(x, h0 is null ? null : (h0, c0!)), gru => gru.call(x, h0), rnn => rnn.call(x, h0));
    }

    /// <summary>Like <see cref="Run"/> on a packed batch (libtorch's packed path is exact in every mode).</summary>
    public (PackedSequence Output, Tensor H, Tensor? C) RunPacked(int slot, PackedSequence x, Tensor? h0, Tensor? c0) =>
        Call(modules[slot], lstm => lstm.call(x, h0 is null ? null : (h0, c0!)), gru => gru.call(x, h0), rnn => rnn.call(x, h0));

    /// <summary>
    /// WORKAROUND for libtorch's faulty CPU LSTM inference kernel (see <see cref="LstmInferenceKernelGuard"/> for the
    /// shapes it gets wrong): runs the slot through libtorch's packed path, which is exact (and, unlike turning autograd
    /// back on, also works under inference_mode), with every sequence at all T steps. Packs with
    /// <c>enforce_sorted: false</c> because <c>enforce_sorted: true</c> leaks four tensors per call in TorchSharp 0.107.
    /// Guarded by <c>RecurrentLayerParityTests.FusedLstm_WithoutAutogradOrLengths_EqualsComposed_AtEveryHiddenSize</c>,
    /// <c>LstmInferenceGuardTests</c> and, for the leak, <c>RecurrentLayerMemoryTests.LstmInferenceWithAndWithoutLengths_LiveTensorCountStaysFlat</c>.
    /// </summary>
    private (Tensor Output, Tensor H, Tensor? C) RunAroundFaultyLstmInferenceKernel(int slot, Tensor x, Tensor? h0, Tensor? c0)
    {
        long steps = x.shape[0];
        using var lengths = full(x.shape[1], steps, ScalarType.Int64);
        using var packed = nn.utils.rnn.pack_padded_sequence(x, lengths, false, enforce_sorted: false);
        var (po, h, c) = RunPacked(slot, packed, h0, c0);
        using (po)
        {
            var (o, outLengths) = nn.utils.rnn.pad_packed_sequence(po, false, 0.0, steps);
            outLengths.Dispose();
            return (o, h, c);
        }
    }

    /// <summary>Calls the fused module of whichever kind with its own overload (padded or packed input alike).</summary>
    private static (T Output, Tensor H, Tensor? C) Call<T>(nn.Module module, Func<LSTM, (T, Tensor, Tensor)> lstm,
        Func<GRU, (T, Tensor)> gru, Func<RNN, (T, Tensor)> rnn)
    {
        switch (module)
        {
            case LSTM l:
            {
                var (o, h, c) = lstm(l);
                return (o, h, c);
            }
            case GRU g:
            {
                var (o, h) = gru(g);
                return (o, h, null);
            }
            default:
            {
                var (o, h) = rnn((RNN)module);
                return (o, h, null);
            }
        }
    }

    public void Train(bool train)
    {
        foreach (var m in modules)
            if (m.training != train) m.train(train);
    }

    /// <summary>Converts every module's parameters in place (the handles held elsewhere follow along).</summary>
    public void To(ScalarType? dtype, Device? device, bool nonBlocking)
    {
        foreach (var m in modules)
        {
            if (device is null) m.to(dtype!.Value, nonBlocking);
            else if (dtype is null) m.to(device, nonBlocking);
            else m.to(device, dtype.Value, nonBlocking);
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var m in modules) m.Dispose();
    }
}
