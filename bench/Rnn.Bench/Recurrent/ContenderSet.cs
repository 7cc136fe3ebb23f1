using RnnMl.Torch.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using PackedSequence = TorchSharp.torch.nn.utils.rnn.PackedSequence;

namespace RnnMl.Bench;

/// <summary>
/// The implementations compared for one <see cref="RecurrentConfig"/>, all with the same weights, and the batch they run on:
/// TorchSharp's own <c>torch.nn.LSTM/GRU/RNN</c> ("raw"), our layer with the fused backend, our layer with the
/// composed backend, and for variable-length batches our layer with the fused-ragged backend (padded batch with lengths,
/// no packing) and our fused layer on the same padded batch without lengths ("padded").
/// </summary>
internal sealed class ContenderSet : IDisposable
{
    /// <summary>Seed for weights, input and lengths, so every run measures the same numbers.</summary>
    public const int Seed = 20240611;

    private readonly List<Contender> all = [];

    public ContenderSet(RecurrentConfig config)
    {
        Config = config;
        torch.manual_seed(Seed);
        int t = config.Steps, n = config.Batch;

        Input = torch.randn(t, n, config.InputSize);
        if (config.VariableLength)
        {
            var rng = new Random(Seed);
            var lens = new long[n];
            for (int i = 0; i < n; i++) lens[i] = rng.Next(t / 2, t + 1);
            Lengths = torch.tensor(lens, ScalarType.Int64);
            ValidSteps = lens.Sum();
        }
        else
        {
            ValidSteps = (long)t * n;
        }

        var fusedLayer = CreateLayer(config, RecurrentBackend.Fused);
        var composedLayer = CreateLayer(config, RecurrentBackend.Composed);
        var raggedLayer = config.VariableLength ? CreateLayer(config, RecurrentBackend.FusedRagged) : null;
        var gemmLayer = config.Cell == CellKind.Lstm ? CreateLayer(config, RecurrentBackend.ComposedGemm) : null;
        var rawModule = CreateRaw(config);
        using (torch.NewDisposeScope())
        {
            var weights = fusedLayer.state_dict();
            composedLayer.load_state_dict(weights);
            raggedLayer?.load_state_dict(weights);
            gemmLayer?.load_state_dict(weights);
            rawModule.load_state_dict(weights);
        }
        using (var auto = CreateLayer(config, RecurrentBackend.Auto))
        {
            AutoTraining = auto.ResolveBackend(training: true, ragged: config.VariableLength);
            AutoInference = auto.ResolveBackend(training: false, ragged: config.VariableLength);
        }

        var lengths = Lengths;
        Raw = Add(new Contender("raw", rawModule, RawForward(rawModule, lengths, t)));
        Fused = Add(new Contender("fused", fusedLayer, x => fusedLayer.forward(x, null, lengths).Output));
        Composed = Add(new Contender("composed", composedLayer, x => composedLayer.forward(x, null, lengths).Output));
        if (raggedLayer is not null)
            Ragged = Add(new Contender("fused-ragged", raggedLayer, x => raggedLayer.forward(x, null, lengths).Output));
        if (gemmLayer is not null)
            Gemm = Add(new Contender("composed-gemm", gemmLayer, x => gemmLayer.forward(x, null, lengths).Output));
        if (config.VariableLength)
            Padded = Add(new Contender("fused-padded", fusedLayer, x => fusedLayer.forward(x).Output, ownsModule: false));
    }

    /// <summary>What <see cref="RecurrentBackend.Auto"/> runs for this configuration in training (autograd on).</summary>
    public RecurrentBackend AutoTraining { get; }

    /// <summary>What <see cref="RecurrentBackend.Auto"/> runs for this configuration in inference (no_grad).</summary>
    public RecurrentBackend AutoInference { get; }

    public RecurrentConfig Config { get; }

    /// <summary>(T, N, I), time-major like PyTorch's default.</summary>
    public Tensor Input { get; }

    /// <summary>(N) int64 lengths for variable-length configurations, else null.</summary>
    public Tensor? Lengths { get; }

    /// <summary>Σ lengths (T·N for full-length batches): the steps the FLOP count includes.</summary>
    public long ValidSteps { get; }

    public Contender Raw { get; }

    public Contender Fused { get; }

    public Contender Composed { get; }

    /// <summary>Our layer with the fused-ragged backend and the lengths; variable-length configurations only.</summary>
    public Contender? Ragged { get; }

    /// <summary>Our layer with the composed-gemm backend; LSTM configurations only.</summary>
    public Contender? Gemm { get; }

    /// <summary>Our fused layer without lengths on the same padded batch; variable-length configurations only.</summary>
    public Contender? Padded { get; }

    /// <summary>Raw, fused, composed, then ragged, gemm and padded if present.</summary>
    public IReadOnlyList<Contender> All => all;

    /// <summary>Sets train (true) or eval (false) mode on every module.</summary>
    public void SetTraining(bool training)
    {
        foreach (var c in all) c.Module.train(training);
    }

    /// <summary>
    /// Largest absolute difference between the raw, composed and ragged outputs and the fused output, in eval mode without
    /// gradients. Near zero means all three really run the same weights (and the same lengths).
    /// </summary>
    public double MaxOutputDifference()
    {
        SetTraining(false);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var reference = Fused.Forward(Input);
        double worst = 0;
        foreach (var c in new[] { Raw, Composed, Ragged, Gemm }.OfType<Contender>())
            worst = Math.Max(worst, (c.Forward(Input) - reference).abs().max().item<float>());
        return worst;
    }

    public void Dispose()
    {
        foreach (var c in all) c.Dispose();
        Input.Dispose();
        Lengths?.Dispose();
    }

    private Contender Add(Contender c)
    {
        all.Add(c);
        return c;
    }

    private static RecurrentLayer CreateLayer(RecurrentConfig c, RecurrentBackend backend) => c.Cell switch
    {
        CellKind.Lstm => Lstm.Create(c.InputSize, c.HiddenSize, c.Layers, bidirectional: c.Bidirectional, backend: backend),
        CellKind.Gru => Gru.Create(c.InputSize, c.HiddenSize, c.Layers, bidirectional: c.Bidirectional, backend: backend),
        _ => Rnn.Create(c.InputSize, c.HiddenSize, c.Layers, bidirectional: c.Bidirectional, backend: backend),
    };

    private static nn.Module CreateRaw(RecurrentConfig c) => c.Cell switch
    {
        CellKind.Lstm => nn.LSTM(c.InputSize, c.HiddenSize, c.Layers, bidirectional: c.Bidirectional),
        CellKind.Gru => nn.GRU(c.InputSize, c.HiddenSize, c.Layers, bidirectional: c.Bidirectional),
        _ => nn.RNN(c.InputSize, c.HiddenSize, c.Layers, nn.NonLinearities.Tanh, bidirectional: c.Bidirectional),
    };

    /// <summary>
    /// TorchSharp's module on the padded batch, or with lengths: pack_padded_sequence (enforce_sorted false), the
    /// module on the packed batch, pad_packed_sequence back to T steps.
    /// </summary>
    private static Func<Tensor, Tensor> RawForward(nn.Module module, Tensor? lengths, long steps)
    {
        Func<Tensor, Tensor> padded = module switch
        {
            LSTM lstm => x => lstm.call(x).Item1,
            GRU gru => x => gru.call(x).Item1,
            RNN rnn => x => rnn.call(x).Item1,
            _ => throw new ArgumentException($"not a recurrent module: {module.GetType().Name}", nameof(module)),
        };
        if (lengths is null) return padded;

        Func<PackedSequence, PackedSequence> packedCall = module switch
        {
            LSTM lstm => p => lstm.call(p).Item1,
            GRU gru => p => gru.call(p).Item1,
            _ => p => ((RNN)module).call(p).Item1,
        };
        return x =>
        {
            using var packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first: false, enforce_sorted: false);
            using var output = packedCall(packed);
            var (unpacked, outLengths) = nn.utils.rnn.pad_packed_sequence(output, batch_first: false, padding_value: 0.0, total_length: steps);
            outLengths.Dispose();
            return unpacked;
        };
    }
}
