using RnnMl.Torch.Cells;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Layers;

/// <summary>
/// Behaviour of a recurrent layer across its modes and options: training versus evaluation (dropout), default state,
/// variable lengths, dtype conversion, parameter names, and custom cells.
/// </summary>
// Runs alone: the dropout tests need draws no parallel test reseeds between two calls.
[Collection(RnnMl.Torch.Tests.Training.GlobalTorchRandomCollection.Name)]
public class RecurrentLayerModesTests
{
    private const int I = 3, H = 4, T = 5, N = 3;
    private const ScalarType F64 = ScalarType.Float64;
    private static readonly long[] Lengths = { T, 2, 4 }; // unsorted, one full, two padded

    private static readonly RecurrentBackend[] Backends = { RecurrentBackend.Fused, RecurrentBackend.FusedRagged, RecurrentBackend.Composed };

    public static TheoryData<LayerKind, RecurrentBackend> KindsAndBackends()
    {
        var data = new TheoryData<LayerKind, RecurrentBackend>();
        foreach (var k in Enum.GetValues<LayerKind>()) foreach (var b in Backends) data.Add(k, b);
        return data;
    }

    public static TheoryData<LayerKind, RecurrentBackend, bool> KindsBackendsAndLayouts()
    {
        var data = new TheoryData<LayerKind, RecurrentBackend, bool>();
        foreach (var k in Enum.GetValues<LayerKind>()) foreach (var b in Backends) foreach (var bf in new[] { false, true }) data.Add(k, b, bf);
        return data;
    }

    private static RecurrentState RandomState(RecurrentLayer layer, long batch, ScalarType dtype)
    {
        long rows = (long)layer.NumLayers * layer.Directions;
        return new RecurrentState(randn(rows, batch, layer.HiddenSize, dtype),
            layer.StateCount == 2 ? randn(rows, batch, layer.HiddenSize, dtype) : null);
    }

    private static RecurrentState StateOf(RecurrentState state, long n)
        => new(state.H.narrow(1, n, 1), state.C?.narrow(1, n, 1));

    private static void AssertStatesEqual(RecurrentState expected, RecurrentState actual)
    {
        RnnAssert.Equal(expected.H, actual.H, "h_n");
        Assert.Equal(expected.C is null, actual.C is null);
        if (expected.C is not null) RnnAssert.Equal(expected.C, actual.C!, "c_n");
    }

    // ---- dropout: training versus evaluation ----

    [Theory]
    [MemberData(nameof(KindsAndBackends))]
    public void Dropout_TwoLayersInEvaluation_SameOutputOnEveryCall(LayerKind kind, RecurrentBackend backend)
    {
        using var scope = NewDisposeScope();
        manual_seed(51);
        using var layer = TestLayers.Create(kind, I, 16, numLayers: 2, dropout: 0.5, backend: backend);
        var x = randn(T, N, I);
        layer.train();
        layer.forward(x);

        layer.eval();
        var (first, firstState) = layer.forward(x);
        var (second, secondState) = layer.forward(x);

        Assert.False(layer.training);
        RnnAssert.Equal(first, second, "output");
        AssertStatesEqual(firstState, secondState);
    }

    [Theory]
    [MemberData(nameof(KindsAndBackends))]
    public void Dropout_TwoLayersInTraining_DifferentOutputOnEachCall(LayerKind kind, RecurrentBackend backend)
    {
        using var scope = NewDisposeScope();
        manual_seed(52);
        using var layer = TestLayers.Create(kind, I, 16, numLayers: 2, dropout: 0.5, backend: backend);
        var x = randn(T, N, I);
        layer.eval();
        var (evaluation, _) = layer.forward(x);

        layer.train();
        var (first, _) = layer.forward(x);
        var (second, _) = layer.forward(x);

        Assert.True(layer.training);
        Assert.True((first - second).abs().max().item<float>() > 1e-4, "two training calls gave the same output: dropout is not active");
        Assert.True((first - evaluation).abs().max().item<float>() > 1e-4, "a training call gave the evaluation output");
    }

    [Theory]
    [MemberData(nameof(KindsAndBackends))]
    public void Dropout_SingleLayerInTraining_HasNoEffect(LayerKind kind, RecurrentBackend backend)
    {
        using var scope = NewDisposeScope();
        manual_seed(53);
        using var layer = TestLayers.Create(kind, I, 16, numLayers: 1, dropout: 0.5, backend: backend);
        var x = randn(T, N, I);
        layer.eval();
        var (evaluation, evaluationState) = layer.forward(x);

        layer.train();
        var (first, firstState) = layer.forward(x);
        var (second, _) = layer.forward(x);

        RnnAssert.Equal(evaluation, first, "training output against evaluation output");
        RnnAssert.Equal(first, second, "two training outputs");
        AssertStatesEqual(evaluationState, firstState);
    }

    // ---- default state and lengths ----

    [Theory]
    [MemberData(nameof(KindsBackendsAndLayouts))]
    public void Forward_WithoutState_EqualsExplicitZeros(LayerKind kind, RecurrentBackend backend, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        manual_seed(54);
        using var layer = TestLayers.Create(kind, I, H, numLayers: 2, batchFirst: batchFirst, bidirectional: true, backend: backend);
        var x = TestLayers.Input(layer, T, N);

        foreach (var lengths in new[] { null, tensor(Lengths) })
        {
            var (implicitOutput, implicitState) = layer.forward(x, null, lengths);
            var (explicitOutput, explicitState) = layer.forward(x, TestLayers.ZeroState(layer, N), lengths);

            RnnAssert.Equal(explicitOutput, implicitOutput, "output");
            AssertStatesEqual(explicitState, implicitState);
        }
    }

    [Theory]
    [MemberData(nameof(KindsBackendsAndLayouts))]
    public void Forward_LengthsAllEqualToSteps_EqualsNoLengths(LayerKind kind, RecurrentBackend backend, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        manual_seed(55);
        using var layer = TestLayers.Create(kind, I, H, numLayers: 2, batchFirst: batchFirst, bidirectional: true, backend: backend);
        var x = TestLayers.Input(layer, T, N);
        var state = RandomState(layer, N, ScalarType.Float32);

        var (withLengths, withLengthsState) = layer.forward(x, state, full(N, T, ScalarType.Int32));
        var (without, withoutState) = layer.forward(x, state);

        RnnAssert.Equal(without, withLengths, "output");
        AssertStatesEqual(withoutState, withLengthsState);
    }

    [Theory]
    [MemberData(nameof(KindsBackendsAndLayouts))]
    public void Forward_WithLengths_OutputsAtPaddedStepsAreExactlyZero(LayerKind kind, RecurrentBackend backend, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        manual_seed(56);
        using var layer = TestLayers.Create(kind, I, H, numLayers: 2, batchFirst: batchFirst, bidirectional: true, backend: backend);
        var x = TestLayers.Input(layer, T, N);

        var (output, _) = layer.forward(x, RandomState(layer, N, ScalarType.Float32), tensor(Lengths));

        for (int n = 0; n < N; n++)
        {
            for (int t = 0; t < T; t++)
            {
                var at = batchFirst ? output[n, t] : output[t, n];
                double largest = at.abs().max().item<float>();
                if (t >= Lengths[n]) Assert.True(largest == 0, $"sequence {n} step {t} is padding but its output is {largest}");
                else Assert.True(largest > 0, $"sequence {n} step {t} is valid but its output is all zero");
            }
        }
    }

    [Theory]
    [MemberData(nameof(KindsBackendsAndLayouts))]
    public void Forward_WithLengths_EachSequenceMatchesRunningItAloneUnpadded(LayerKind kind, RecurrentBackend backend, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        manual_seed(57);
        // Bidirectional and stacked: the reverse direction of every layer must start at each sequence's own end.
        using var layer = TestLayers.Create(kind, I, H, numLayers: 2, batchFirst: batchFirst, bidirectional: true, backend: backend, dtype: F64);
        AssertEachSequenceMatchesRunningItAlone(layer, TestLayers.Input(layer, T, N), 1e-10);
    }

    /// <summary>With and without an initial state, sequence n of a padded batch gives what it gives alone, unpadded.</summary>
    private static void AssertEachSequenceMatchesRunningItAlone(RecurrentLayer layer, Tensor x, double tolerance)
    {
        var dtype = x.dtype;
        foreach (var state in new[] { null, RandomState(layer, N, dtype) })
        {
            var (output, final) = layer.forward(x, state, tensor(Lengths));

            for (int n = 0; n < N; n++)
            {
                var sequence = TestLayers.Sequence(x, layer.BatchFirst, n, Lengths[n]);
                var (aloneOutput, aloneFinal) = layer.forward(TestLayers.AsBatchOfOne(sequence, layer.BatchFirst), state is null ? null : StateOf(state, n));

                var batchedOutput = TestLayers.Sequence(output, layer.BatchFirst, n, Lengths[n]);
                RnnAssert.Close(aloneOutput.squeeze(layer.BatchFirst ? 0 : 1), batchedOutput, tolerance, $"output of sequence {n}");
                RnnAssert.Close(aloneFinal.H, final.H.narrow(1, n, 1), tolerance, $"h_n of sequence {n}");
                if (final.C is not null) RnnAssert.Close(aloneFinal.C!, final.C.narrow(1, n, 1), tolerance, $"c_n of sequence {n}");
            }
        }
    }

    // ---- dtype conversion ----

    [Theory]
    [InlineData(LayerKind.Lstm)]
    [InlineData(LayerKind.Gru)]
    [InlineData(LayerKind.Rnn)]
    public void To_Float64AfterConstruction_ConvertsParametersAndBothBackendsStillAgree(LayerKind kind)
    {
        using var scope = NewDisposeScope();
        manual_seed(58);
        using var fused = TestLayers.Create(kind, I, H, numLayers: 2, bidirectional: true, backend: RecurrentBackend.Fused);
        using var composed = TestLayers.Create(kind, I, H, numLayers: 2, bidirectional: true, backend: RecurrentBackend.Composed);
        using (no_grad())
        {
            foreach (var (target, source) in composed.parameters().Zip(fused.parameters())) target.copy_(source);
        }
        var namesBefore = fused.named_parameters().Select(p => p.name).ToList();
        long elementsBefore = fused.parameters().Sum(p => p.numel());

        fused.to(F64);
        composed.to(F64);

        foreach (var layer in new[] { fused, composed })
        {
            Assert.Equal(namesBefore, layer.named_parameters().Select(p => p.name).ToList());
            Assert.Equal(elementsBefore, layer.parameters().Sum(p => p.numel()));
            Assert.All(layer.parameters(), p => Assert.Equal(F64, p.dtype));
            Assert.All(layer.Cells.Cast<TorchLayoutCell>(), c => Assert.Equal(F64, c.weight_ih.dtype));
        }
        var x = randn(T, N, I, F64);
        var lengths = tensor(Lengths);
        var (fusedOutput, fusedState) = fused.forward(x, null, lengths);
        var (composedOutput, composedState) = composed.forward(x, null, lengths);
        RnnAssert.Close(composedOutput, fusedOutput, 1e-10, "output");
        RnnAssert.Close(composedState.H, fusedState.H, 1e-10, "h_n");
        Assert.Equal(F64, fusedOutput.dtype);

        // The registered parameters are still the ones each backend computes with: both get gradients.
        foreach (var (layer, output) in new[] { (fused, fusedOutput), (composed, composedOutput) })
        {
            output.sum().backward();
            Assert.All(layer.parameters(), p => Assert.True(p.grad is not null && p.grad.abs().sum().item<double>() > 0));
        }
    }

    [Theory]
    [MemberData(nameof(KindsAndBackends))]
    public void To_Float64AfterBackward_KeepsTheSharedParametersTheirGradientsAndTraining(LayerKind kind, RecurrentBackend backend)
    {
        using var scope = NewDisposeScope();
        manual_seed(61);
        using var layer = TestLayers.Create(kind, I, H, numLayers: 2, bidirectional: true, backend: backend);
        layer.forward(randn(T, N, I)).Output.pow(2).sum().backward();
        var names = layer.named_parameters().Select(p => p.name).ToList();
        var values = layer.parameters().Select(p => p.detach().to(F64)).ToList();
        var grads = layer.parameters().Select(p => p.grad!.to(F64)).ToList();

        layer.to(F64);

        var parameters = layer.named_parameters().ToList();
        Assert.Equal(names, parameters.Select(p => p.name).ToList());
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i].parameter;
            Assert.Equal(F64, p.dtype);
            RnnAssert.Equal(values[i], p, $"value of {names[i]}");
            Assert.NotNull(p.grad);
            Assert.Equal(F64, p.grad!.dtype);
            RnnAssert.Equal(grads[i], p.grad!, $"gradient of {names[i]}");
        }
        // The cells still compute with the registered parameters.
        var byName = parameters.ToDictionary(p => p.name, p => p.parameter);
        Assert.Same(byName["weight_ih_l0"], ((TorchLayoutCell)layer.Cells[0]).weight_ih);
        Assert.Same(byName["weight_hh_l1_reverse"], ((TorchLayoutCell)layer.Cells[3]).weight_hh);

        // And training goes on in float64: a step of the optimizer changes what the layer computes.
        var x = randn(T, N, I, F64);
        var optimizer = optim.SGD(layer.parameters(), 0.1);
        optimizer.zero_grad();
        var (before, _) = layer.forward(x);
        before.pow(2).sum().backward();
        Assert.All(layer.parameters(), p => Assert.True(p.grad is not null && p.grad.abs().sum().item<double>() > 0));
        optimizer.step();
        var (after, _) = layer.forward(x);
        Assert.True((after - before).abs().max().item<double>() > 1e-6, "an optimizer step did not change the output");
    }

    [Fact]
    public void To_Float64OnCustomRecurrent_ConvertsBuiltInAndUserCellsKeepingValues()
    {
        using var scope = NewDisposeScope();
        manual_seed(62);
        using var layer = CustomRecurrent.Create(
            s => s.Layer == 0 ? GruCell.Create(s.InputSize, s.HiddenSize) : new TanhCell(s.InputSize, s.HiddenSize),
            I, H, numLayers: 2, bidirectional: true);
        var x = randn(T, N, I);
        var (expected, _) = layer.forward(x, null, tensor(Lengths));
        int count = layer.parameters().Count();

        layer.to(F64);

        Assert.Equal(count, layer.parameters().Count());
        Assert.All(layer.parameters(), p => Assert.Equal(F64, p.dtype));
        Assert.All(layer.Cells.OfType<TorchLayoutCell>(), c => Assert.Equal(F64, c.weight_ih.dtype));
        var (output, _) = layer.forward(x.to(F64), null, tensor(Lengths));
        RnnAssert.Close(expected, output, 1e-5, "output after conversion");
        output.sum().backward();
        Assert.All(layer.parameters(), p => Assert.NotNull(p.grad));
    }

    [Fact]
    public void To_Float64OnCustomRecurrentOfUserCells_ConvertsTheirFields()
    {
        using var scope = NewDisposeScope();
        manual_seed(63);
        using var layer = CustomRecurrent.Create(s => new TanhCell(s.InputSize, s.HiddenSize), I, H, bidirectional: true);
        var x = randn(T, N, I);
        var (expected, _) = layer.forward(x);

        layer.to(F64);

        Assert.All(layer.parameters(), p => Assert.Equal(F64, p.dtype));
        RnnAssert.Close(expected, layer.forward(x.to(F64)).Output, 1e-5, "output after conversion");
    }

    // ---- parameter names ----

    public static TheoryData<LayerKind, bool> KindsAndBias()
    {
        var data = new TheoryData<LayerKind, bool>();
        foreach (var k in Enum.GetValues<LayerKind>()) foreach (var bias in new[] { true, false }) data.Add(k, bias);
        return data;
    }

    [Theory]
    [MemberData(nameof(KindsAndBias))]
    public void StateDict_TwoLayerBidirectional_HasPyTorchNamesOrderAndShapes(LayerKind kind, bool bias)
    {
        using var scope = NewDisposeScope();
        int gates = kind switch { LayerKind.Lstm => 4, LayerKind.Gru => 3, _ => 1 };
        using var layer = TestLayers.Create(kind, I, H, numLayers: 2, bias: bias, bidirectional: true);

        // PyTorch's nn.LSTM/GRU/RNN(3, 4, num_layers=2, bidirectional=True, bias=...).state_dict(), in order.
        var expected = new List<(string Name, long[] Shape)>();
        foreach (var layerIndex in new[] { 0, 1 })
        {
            foreach (var suffix in new[] { "", "_reverse" })
            {
                long input = layerIndex == 0 ? I : 2 * H;
                expected.Add(($"weight_ih_l{layerIndex}{suffix}", new[] { gates * H, input }));
                expected.Add(($"weight_hh_l{layerIndex}{suffix}", new long[] { gates * H, H }));
                if (bias)
                {
                    expected.Add(($"bias_ih_l{layerIndex}{suffix}", new long[] { gates * H }));
                    expected.Add(($"bias_hh_l{layerIndex}{suffix}", new long[] { gates * H }));
                }
            }
        }

        var stateDict = layer.state_dict();

        Assert.Equal(expected.Select(e => e.Name).ToList(), stateDict.Keys.ToList());
        foreach (var (name, shape) in expected) Assert.Equal(shape, stateDict[name].shape);
        Assert.DoesNotContain(stateDict.Keys, k => !bias && k.StartsWith("bias"));
    }

    [Theory]
    [MemberData(nameof(KindsAndBackends))]
    public void LoadStateDict_FromAnotherLayer_ReproducesItsOutputs(LayerKind kind, RecurrentBackend backend)
    {
        using var scope = NewDisposeScope();
        manual_seed(64);
        using var source = TestLayers.Create(kind, I, H, numLayers: 2, bidirectional: true, backend: RecurrentBackend.Fused);
        using var target = TestLayers.Create(kind, I, H, numLayers: 2, bidirectional: true, backend: backend);
        var x = randn(T, N, I);
        var lengths = tensor(Lengths);
        var (expected, expectedState) = source.forward(x, null, lengths);
        Assert.True((target.forward(x, null, lengths).Output - expected).abs().max().item<float>() > 1e-3, "the premise: two fresh layers differ");

        var (missing, unexpected) = target.load_state_dict(source.state_dict());

        Assert.Empty(missing);
        Assert.Empty(unexpected);
        var (output, state) = target.forward(x, null, lengths);
        RnnAssert.Close(expected, output, 1e-5, "output");
        RnnAssert.Close(expectedState.H, state.H, 1e-5, "h_n");
    }

    // ---- a user-written cell ----

    /// <summary>h' = tanh(W x + b + U h), written against the public <see cref="RecurrentCell"/> API only.</summary>
    private sealed class TanhCell : RecurrentCell
    {
        private readonly Parameter w, u, b;

        public TanhCell(int inputSize, int hiddenSize) : base(nameof(TanhCell), inputSize, hiddenSize)
        {
            w = new Parameter(empty(hiddenSize, inputSize));
            u = new Parameter(empty(hiddenSize, hiddenSize));
            b = new Parameter(empty(hiddenSize));
            register_parameter("w", w);
            register_parameter("u", u);
            register_parameter("b", b);
            ResetParameters();
        }

        public override int StateCount => 1;

        public override Tensor ProjectInput(Tensor input) => nn.functional.linear(input, w, b);

        public override Tensor[] Step(Tensor projected, IReadOnlyList<Tensor> state)
            => new[] { (projected + nn.functional.linear(state[0], u)).tanh() };

        public override void ResetParameters()
        {
            double k = 1.0 / Math.Sqrt(HiddenSize);
            using var _ = no_grad();
            w.uniform_(-k, k);
            u.uniform_(-k, k);
            b.uniform_(-k, k);
        }
    }

    [Fact]
    public void CustomRecurrent_UserWrittenCell_LossDecreasesUnderAdam()
    {
        using var scope = NewDisposeScope();
        manual_seed(59);
        using var layer = CustomRecurrent.Create(s => new TanhCell(s.InputSize, s.HiddenSize), I, 8);
        Assert.Equal(3, layer.parameters().Count());
        var x = randn(6, N, I);
        var target = rand(6, N, 8) - 0.5;
        var optimizer = optim.Adam(layer.parameters(), 0.05);
        var losses = new List<float>();

        for (int step = 0; step < 40; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = (layer.forward(x).Output - target).pow(2).mean();
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }

        Assert.True(losses[^1] < 0.5 * losses[0], $"loss went from {losses[0]} to {losses[^1]}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CustomRecurrent_UserWrittenCellBidirectionalWithLengths_EachSequenceMatchesRunningItAlone(bool batchFirst)
    {
        using var scope = NewDisposeScope();
        manual_seed(60);
        using var layer = CustomRecurrent.Create(s => new TanhCell(s.InputSize, s.HiddenSize), I, H, numLayers: 2,
            batchFirst: batchFirst, bidirectional: true);
        var x = TestLayers.Input(layer, T, N);

        AssertEachSequenceMatchesRunningItAlone(layer, x, 1e-5);

        var (output, final) = layer.forward(x, null, tensor(Lengths));
        for (int n = 0; n < N; n++)
        {
            var padding = batchFirst ? output[n].narrow(0, Lengths[n], T - Lengths[n]) : output.narrow(0, Lengths[n], T - Lengths[n]).select(1, n);
            Assert.True(padding.numel() == 0 || padding.abs().max().item<float>() == 0, $"padded output of sequence {n} is not zero");
        }
        (output.sum() + final.H.sum()).backward();
        Assert.Equal(2 * 2 * 3, layer.parameters().Count());
        Assert.All(layer.parameters(), p => Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0));
    }
}
