using RnnMl.Torch.Cells;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Layers;

/// <summary>
/// Bad arguments to <see cref="RecurrentLayer.forward"/> and to the layer factories. Each test breaks exactly one thing,
/// using 7 (prime, unlike every valid size here) as the wrong size, and checks that the error names the parameter and
/// states both the expected and the actual value.
/// </summary>
public class RecurrentLayerValidationTests
{
    // Every valid size is distinct from the others where a message could confuse them: L·D = 4, N = 3, H = 5.
    private const int I = 3, H = 5, L = 2, N = 3, T = 4, Wrong = 7;
    private const int Rows = L * 2; // L·D for the bidirectional layers used below

    private static readonly RecurrentBackend[] Backends = { RecurrentBackend.Fused, RecurrentBackend.FusedRagged, RecurrentBackend.Composed };
    private static readonly bool[] Layouts = { false, true };

    public static TheoryData<RecurrentBackend, bool> BackendsAndLayouts()
    {
        var data = new TheoryData<RecurrentBackend, bool>();
        foreach (var b in Backends) foreach (var bf in Layouts) data.Add(b, bf);
        return data;
    }

    public static TheoryData<LayerKind, RecurrentBackend, bool> KindsBackendsAndLayouts()
    {
        var data = new TheoryData<LayerKind, RecurrentBackend, bool>();
        foreach (var k in Enum.GetValues<LayerKind>()) foreach (var b in Backends) foreach (var bf in Layouts) data.Add(k, b, bf);
        return data;
    }

    public static TheoryData<LayerKind, RecurrentBackend, bool, int> StateDimensionCases()
    {
        var data = new TheoryData<LayerKind, RecurrentBackend, bool, int>();
        foreach (var k in Enum.GetValues<LayerKind>())
            foreach (var b in Backends)
                foreach (var bf in Layouts)
                    for (int dim = 0; dim < 3; dim++) data.Add(k, b, bf, dim);
        return data;
    }

    public static TheoryData<RecurrentBackend, bool, int> BackendLayoutDimensionCases()
    {
        var data = new TheoryData<RecurrentBackend, bool, int>();
        foreach (var b in Backends) foreach (var bf in Layouts) for (int dim = 0; dim < 3; dim++) data.Add(b, bf, dim);
        return data;
    }

    private static RecurrentLayer Layer(LayerKind kind, RecurrentBackend backend, bool batchFirst = false)
        => TestLayers.Create(kind, I, H, L, batchFirst: batchFirst, bidirectional: true, backend: backend);

    private static Tensor GoodInput(bool batchFirst) => batchFirst ? randn(N, T, I) : randn(T, N, I);

    private static long[] StateShape(int wrongDim)
    {
        var shape = new long[] { Rows, N, H };
        if (wrongDim >= 0) shape[wrongDim] = Wrong;
        return shape;
    }

    private static string ShapeText(long[] shape) => "[" + string.Join(", ", shape) + "]";

    // ---- forward: the input ----

    [Theory]
    [MemberData(nameof(KindsBackendsAndLayouts))]
    public void Forward_WrongFeatureSize_ThrowsNamingInputWithExpectedAndActualSize(LayerKind kind, RecurrentBackend backend, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var layer = Layer(kind, backend, batchFirst);
        var input = batchFirst ? randn(N, T, Wrong) : randn(T, N, Wrong);

        RnnAssert.Throws("input", () => layer.forward(input), I.ToString(), Wrong.ToString());
    }

    [Theory]
    [MemberData(nameof(BackendsAndLayouts))]
    public void Forward_TwoDimensionalInput_ThrowsNamingInputWithBothRanks(RecurrentBackend backend, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        using var layer = Layer(LayerKind.Lstm, backend, batchFirst);

        RnnAssert.Throws("input", () => layer.forward(randn(T, I)), "3-D", "2-D");
    }

    [Theory]
    [MemberData(nameof(BackendsAndLayouts))]
    public void Forward_FourDimensionalInput_ThrowsNamingInputWithBothRanks(RecurrentBackend backend, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        using var layer = Layer(LayerKind.Gru, backend, batchFirst);

        RnnAssert.Throws("input", () => layer.forward(randn(T, N, 1, I)), "3-D", "4-D");
    }

    [Theory]
    [InlineData(LayerKind.Lstm, RecurrentBackend.Fused)]
    [InlineData(LayerKind.Lstm, RecurrentBackend.Composed)]
    [InlineData(LayerKind.Gru, RecurrentBackend.Fused)]
    [InlineData(LayerKind.Gru, RecurrentBackend.Composed)]
    [InlineData(LayerKind.Rnn, RecurrentBackend.Fused)]
    [InlineData(LayerKind.Rnn, RecurrentBackend.Composed)]
    public void Forward_Float64InputIntoFloat32Layer_ThrowsNamingInputWithBothDtypes(LayerKind kind, RecurrentBackend backend)
    {
        using var scope = NewDisposeScope();
        using var layer = Layer(kind, backend);
        var input = randn(T, N, I, ScalarType.Float64);

        RnnAssert.Throws("input", () => layer.forward(input), "Float32", "Float64");
    }

    // ---- forward: the initial state ----

    [Theory]
    [MemberData(nameof(StateDimensionCases))]
    public void Forward_InitialHiddenWrongInOneDimension_ThrowsNamingStateWithBothShapes(LayerKind kind, RecurrentBackend backend, bool batchFirst, int wrongDim)
    {
        using var scope = NewDisposeScope();
        using var layer = Layer(kind, backend, batchFirst);
        var badShape = StateShape(wrongDim);
        var h0 = zeros(badShape);
        var c0 = kind == LayerKind.Lstm ? zeros(StateShape(-1)) : null;

        var ex = RnnAssert.Throws("state", () => layer.forward(GoodInput(batchFirst), new RecurrentState(h0, c0)),
            ShapeText(StateShape(-1)), ShapeText(badShape));
        Assert.Contains("h_0", ex.Message);
    }

    [Theory]
    [MemberData(nameof(BackendLayoutDimensionCases))]
    public void Forward_LstmCellStateWrongInOneDimension_ThrowsNamingStateWithBothShapes(RecurrentBackend backend, bool batchFirst, int wrongDim)
    {
        using var scope = NewDisposeScope();
        using var layer = Layer(LayerKind.Lstm, backend, batchFirst);
        var badShape = StateShape(wrongDim);
        var state = new RecurrentState(zeros(StateShape(-1)), zeros(badShape));

        var ex = RnnAssert.Throws("state", () => layer.forward(GoodInput(batchFirst), state),
            ShapeText(StateShape(-1)), ShapeText(badShape));
        Assert.Contains("c_0", ex.Message);
    }

    [Theory]
    [InlineData(RecurrentBackend.Fused)]
    [InlineData(RecurrentBackend.Composed)]
    public void Forward_LstmStateWithoutCellState_ThrowsNamingState(RecurrentBackend backend)
    {
        using var scope = NewDisposeScope();
        using var layer = Layer(LayerKind.Lstm, backend);
        var state = new RecurrentState(zeros(StateShape(-1)));

        RnnAssert.Throws("state", () => layer.forward(GoodInput(false), state), "c_0");
    }

    [Theory]
    [InlineData(LayerKind.Gru, RecurrentBackend.Fused)]
    [InlineData(LayerKind.Gru, RecurrentBackend.Composed)]
    [InlineData(LayerKind.Rnn, RecurrentBackend.Fused)]
    [InlineData(LayerKind.Rnn, RecurrentBackend.Composed)]
    public void Forward_HiddenOnlyLayerGivenCellState_ThrowsNamingState(LayerKind kind, RecurrentBackend backend)
    {
        using var scope = NewDisposeScope();
        using var layer = Layer(kind, backend);
        var state = new RecurrentState(zeros(StateShape(-1)), zeros(StateShape(-1)));

        RnnAssert.Throws("state", () => layer.forward(GoodInput(false), state), "c_0");
    }

    [Theory]
    [InlineData(LayerKind.Lstm, RecurrentBackend.Fused)]
    [InlineData(LayerKind.Lstm, RecurrentBackend.Composed)]
    [InlineData(LayerKind.Gru, RecurrentBackend.Fused)]
    [InlineData(LayerKind.Gru, RecurrentBackend.Composed)]
    public void Forward_InitialHiddenOfOtherDtype_ThrowsNamingStateWithBothDtypes(LayerKind kind, RecurrentBackend backend)
    {
        using var scope = NewDisposeScope();
        using var layer = Layer(kind, backend);
        var h0 = zeros(StateShape(-1), ScalarType.Float64);
        var c0 = kind == LayerKind.Lstm ? zeros(StateShape(-1)) : null;

        var ex = RnnAssert.Throws("state", () => layer.forward(GoodInput(false), new RecurrentState(h0, c0)), "Float32", "Float64");
        Assert.Contains("h_0", ex.Message);
    }

    [Theory]
    [InlineData(RecurrentBackend.Fused)]
    [InlineData(RecurrentBackend.Composed)]
    public void Forward_LstmCellStateOfOtherDtype_ThrowsNamingStateWithBothDtypes(RecurrentBackend backend)
    {
        using var scope = NewDisposeScope();
        using var layer = Layer(LayerKind.Lstm, backend);
        var state = new RecurrentState(zeros(StateShape(-1)), zeros(StateShape(-1), ScalarType.Float64));

        var ex = RnnAssert.Throws("state", () => layer.forward(GoodInput(false), state), "Float32", "Float64");
        Assert.Contains("c_0", ex.Message);
    }

    // ---- forward: the lengths ----

    [Theory]
    [MemberData(nameof(KindsBackendsAndLayouts))]
    public void Forward_LengthsOfWrongCount_ThrowsNamingLengthsWithBothCounts(LayerKind kind, RecurrentBackend backend, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        using var layer = Layer(kind, backend, batchFirst);
        var lengths = full(Wrong, T, ScalarType.Int64);

        RnnAssert.Throws("lengths", () => layer.forward(GoodInput(batchFirst), null, lengths), N.ToString(), Wrong.ToString());
    }

    [Theory]
    [MemberData(nameof(BackendsAndLayouts))]
    public void Forward_LengthZero_ThrowsOutOfRangeNamingLengthsWithBoundAndValue(RecurrentBackend backend, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        using var layer = Layer(LayerKind.Lstm, backend, batchFirst);
        var lengths = tensor(new long[] { T, 0, 2 });

        var ex = RnnAssert.Throws("lengths", () => layer.forward(GoodInput(batchFirst), null, lengths), "1", "0");
        Assert.IsType<ArgumentOutOfRangeException>(ex);
    }

    [Theory]
    [MemberData(nameof(BackendsAndLayouts))]
    public void Forward_LengthAboveSteps_ThrowsOutOfRangeNamingLengthsWithStepsAndValue(RecurrentBackend backend, bool batchFirst)
    {
        using var scope = NewDisposeScope();
        using var layer = Layer(LayerKind.Gru, backend, batchFirst);
        var lengths = tensor(new long[] { 2, Wrong, T });

        var ex = RnnAssert.Throws("lengths", () => layer.forward(GoodInput(batchFirst), null, lengths), T.ToString(), Wrong.ToString());
        Assert.IsType<ArgumentOutOfRangeException>(ex);
    }

    [Theory]
    [InlineData(RecurrentBackend.Fused)]
    [InlineData(RecurrentBackend.Composed)]
    public void Forward_FloatLengths_ThrowsNamingLengthsWithItsDtype(RecurrentBackend backend)
    {
        using var scope = NewDisposeScope();
        using var layer = Layer(LayerKind.Lstm, backend);
        var lengths = tensor(new float[] { T, 2, 3 });

        RnnAssert.Throws("lengths", () => layer.forward(GoodInput(false), null, lengths), "integer", "Float32");
    }

    // ---- a valid call ----

    public static TheoryData<LayerKind, RecurrentBackend, bool, bool> ValidCases()
    {
        var data = new TheoryData<LayerKind, RecurrentBackend, bool, bool>();
        foreach (var k in Enum.GetValues<LayerKind>())
            foreach (var b in Backends)
                foreach (var bf in Layouts)
                    foreach (var bidi in new[] { false, true }) data.Add(k, b, bf, bidi);
        return data;
    }

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Forward_ValidCall_ReturnsDocumentedShapes(LayerKind kind, RecurrentBackend backend, bool batchFirst, bool bidirectional)
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        int d = bidirectional ? 2 : 1;
        using var layer = TestLayers.Create(kind, I, H, L, batchFirst: batchFirst, bidirectional: bidirectional, backend: backend);
        var input = GoodInput(batchFirst);
        var rows = (long)L * d;
        var state = new RecurrentState(randn(rows, N, H), kind == LayerKind.Lstm ? randn(rows, N, H) : null);
        var lengths = tensor(new long[] { 2, T, 1 });

        foreach (var (s, len) in new (RecurrentState?, Tensor?)[] { (null, null), (state, null), (null, lengths), (state, lengths) })
        {
            var (output, final) = layer.forward(input, s, len);

            long[] expectedOutput = batchFirst ? new long[] { N, T, d * H } : new long[] { T, N, d * H };
            Assert.Equal(expectedOutput, output.shape);
            Assert.Equal(new[] { rows, N, H }, final.H.shape);
            if (kind == LayerKind.Lstm)
            {
                Assert.NotNull(final.C);
                Assert.Equal(new[] { rows, N, H }, final.C!.shape);
            }
            else
            {
                Assert.Null(final.C);
            }
            Assert.Equal(ScalarType.Float32, output.dtype);
        }
    }

    // ---- options checked at construction ----

    [Theory]
    [InlineData(LayerKind.Lstm)]
    [InlineData(LayerKind.Gru)]
    [InlineData(LayerKind.Rnn)]
    public void Create_HiddenSizeZero_ThrowsOutOfRangeNamingHiddenSize(LayerKind kind)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => TestLayers.Create(kind, I, 0));
        Assert.Equal("hiddenSize", ex.ParamName, ignoreCase: true);
        Assert.Equal(0, ex.ActualValue);
        RnnAssert.Mentions(ex, "1", "0");
    }

    [Theory]
    [InlineData(LayerKind.Lstm)]
    [InlineData(LayerKind.Gru)]
    [InlineData(LayerKind.Rnn)]
    public void Create_InputSizeZero_ThrowsOutOfRangeNamingInputSize(LayerKind kind)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => TestLayers.Create(kind, 0, H));
        Assert.Equal("inputSize", ex.ParamName, ignoreCase: true);
        Assert.Equal(0, ex.ActualValue);
        RnnAssert.Mentions(ex, "1", "0");
    }

    [Theory]
    [InlineData(LayerKind.Lstm)]
    [InlineData(LayerKind.Gru)]
    [InlineData(LayerKind.Rnn)]
    public void Create_ZeroLayers_ThrowsOutOfRangeNamingNumLayers(LayerKind kind)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => TestLayers.Create(kind, I, H, numLayers: 0));
        Assert.Equal("numLayers", ex.ParamName, ignoreCase: true);
        Assert.Equal(0, ex.ActualValue);
        RnnAssert.Mentions(ex, "1", "0");
    }

    [Theory]
    [InlineData(LayerKind.Lstm, -0.1)]
    [InlineData(LayerKind.Lstm, 1.0)]
    [InlineData(LayerKind.Lstm, double.NaN)]
    [InlineData(LayerKind.Gru, -0.1)]
    [InlineData(LayerKind.Gru, 1.0)]
    [InlineData(LayerKind.Gru, double.NaN)]
    [InlineData(LayerKind.Rnn, 1.0)]
    public void Create_DropoutOutsideZeroToOne_ThrowsOutOfRangeNamingDropout(LayerKind kind, double dropout)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => TestLayers.Create(kind, I, H, numLayers: 2, dropout: dropout));
        Assert.Equal("dropout", ex.ParamName, ignoreCase: true);
        Assert.Equal(dropout, (double)ex.ActualValue!);
        RnnAssert.Mentions(ex, dropout.ToString(), "[0, 1)");
    }

    [Fact]
    public void Create_UndefinedBackend_ThrowsOutOfRangeNamingBackend()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Lstm.Create(I, H, backend: (RecurrentBackend)Wrong));
        Assert.Equal("backend", ex.ParamName, ignoreCase: true);
        RnnAssert.Mentions(ex, Wrong.ToString());
    }

    [Fact]
    public void CreateRnn_UndefinedNonlinearity_ThrowsOutOfRangeNamingNonlinearity()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Rnn.Create(I, H, nonlinearity: (RnnNonlinearity)Wrong));
        Assert.Equal("nonlinearity", ex.ParamName);
        RnnAssert.Mentions(ex, Wrong.ToString());
    }

    [Fact]
    public void Create_IntegerDtype_ThrowsNamingDtype()
    {
        RnnAssert.Throws("dtype", () => Gru.Create(I, H, dtype: ScalarType.Int64), "Int64");
    }

    [Fact]
    public void CreateCustom_DropoutOne_ThrowsOutOfRangeNamingDropout()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            CustomRecurrent.Create(s => GruCell.Create(s.InputSize, s.HiddenSize), I, H, numLayers: 2, dropout: 1.0));
        Assert.Equal("dropout", ex.ParamName, ignoreCase: true);
    }

    [Fact]
    public void CreateCustom_FusedBackend_ThrowsNamingOptions()
    {
        var options = new RecurrentLayerOptions(I, H, Backend: RecurrentBackend.Fused);

        var ex = RnnAssert.Throws("options", () => CustomRecurrent.Create(s => GruCell.Create(s.InputSize, s.HiddenSize), options));
        Assert.Contains("fused", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void CreateCustom_AutoBackend_RunsComposed()
    {
        using var layer = CustomRecurrent.Create(s => GruCell.Create(s.InputSize, s.HiddenSize), new RecurrentLayerOptions(I, H));

        Assert.Equal(RecurrentBackend.Composed, layer.ActiveBackend);
    }

    [Fact]
    public void CreateCustom_FirstLayerCellOfWrongInputSize_ThrowsNamingFactoryWithBothSizes()
    {
        RnnAssert.Throws("cellFactory",
            () => CustomRecurrent.Create(s => LstmCell.Create(Wrong, s.HiddenSize), I, H),
            I.ToString(), Wrong.ToString());
    }

    [Fact]
    public void CreateCustom_UpperLayerCellOfWrongInputSize_ThrowsNamingFactoryWithBothSizes()
    {
        // Above layer 0 a bidirectional layer's cells take D·H = 10 features; this factory gives them I = 3.
        RnnAssert.Throws("cellFactory",
            () => CustomRecurrent.Create(s => GruCell.Create(I, s.HiddenSize), I, H, numLayers: 2, bidirectional: true),
            (2 * H).ToString(), I.ToString());
    }

    [Fact]
    public void CreateCustom_CellOfWrongHiddenSize_ThrowsNamingFactoryWithBothSizes()
    {
        RnnAssert.Throws("cellFactory",
            () => CustomRecurrent.Create(s => GruCell.Create(s.InputSize, Wrong), I, H),
            H.ToString(), Wrong.ToString());
    }

    [Fact]
    public void CreateCustom_CellsWithDifferentStateCounts_ThrowsNamingFactory()
    {
        RnnAssert.Throws("cellFactory",
            () => CustomRecurrent.Create(
                s => s.Direction == 0 ? LstmCell.Create(s.InputSize, s.HiddenSize) : GruCell.Create(s.InputSize, s.HiddenSize),
                I, H, bidirectional: true),
            "2", "1");
    }
}
