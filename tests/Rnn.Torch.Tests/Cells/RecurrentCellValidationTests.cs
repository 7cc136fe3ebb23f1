using RnnMl.Torch.Cells;
using RnnMl.Torch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Cells;

/// <summary>
/// Bad arguments to <see cref="RecurrentCell.forward"/> and to the cell factories, one wrong thing at a time, 7 being
/// the wrong size.
/// </summary>
public class RecurrentCellValidationTests
{
    private const int I = 3, H = 5, N = 2, Wrong = 7;

    private static RecurrentCell Cell(string kind, ScalarType? dtype = null) => kind switch
    {
        "lstm" => LstmCell.Create(I, H, dtype: dtype),
        "gru" => GruCell.Create(I, H, dtype: dtype),
        "rnn-tanh" => RnnCell.Create(I, H, dtype: dtype),
        _ => RnnCell.Create(I, H, nonlinearity: RnnNonlinearity.ReLU, dtype: dtype),
    };

    public static TheoryData<string> Kinds() => new() { "lstm", "gru", "rnn-tanh", "rnn-relu" };

    private static Tensor[] GoodState(RecurrentCell cell)
        => Enumerable.Range(0, cell.StateCount).Select(_ => randn(N, H)).ToArray();

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_WrongFeatureSize_ThrowsNamingInputWithBothSizes(string kind)
    {
        using var scope = NewDisposeScope();
        using var cell = Cell(kind);

        RnnAssert.Throws("input", () => cell.forward(randn(N, Wrong)), I.ToString(), Wrong.ToString());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_OneDimensionalInput_ThrowsNamingInputWithBothRanks(string kind)
    {
        using var scope = NewDisposeScope();
        using var cell = Cell(kind);

        RnnAssert.Throws("input", () => cell.forward(randn(I)), "2-D", "1-D");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_ThreeDimensionalInput_ThrowsNamingInputWithBothRanks(string kind)
    {
        using var scope = NewDisposeScope();
        using var cell = Cell(kind);

        RnnAssert.Throws("input", () => cell.forward(randn(1, N, I)), "2-D", "3-D");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_OneStateTensorTooMany_ThrowsNamingStateWithBothCounts(string kind)
    {
        using var scope = NewDisposeScope();
        using var cell = Cell(kind);
        var state = GoodState(cell).Append(randn(N, H)).ToArray();

        RnnAssert.Throws("state", () => cell.forward(randn(N, I), state), cell.StateCount.ToString(), (cell.StateCount + 1).ToString());
    }

    [Fact]
    public void Forward_LstmGivenOnlyHidden_ThrowsNamingStateWithBothCounts()
    {
        using var scope = NewDisposeScope();
        using var cell = LstmCell.Create(I, H);

        RnnAssert.Throws("state", () => cell.forward(randn(N, I), new[] { randn(N, H) }), "2", "1");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_StateWithWrongHiddenSize_ThrowsNamingStateWithBothShapes(string kind)
    {
        using var scope = NewDisposeScope();
        using var cell = Cell(kind);
        var state = GoodState(cell);
        state[^1] = randn(N, Wrong);

        RnnAssert.Throws("state", () => cell.forward(randn(N, I), state), $"[{N}, {H}]", $"[{N}, {Wrong}]");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_StateWithWrongBatchSize_ThrowsNamingStateWithBothShapes(string kind)
    {
        using var scope = NewDisposeScope();
        using var cell = Cell(kind);
        var state = GoodState(cell);
        state[0] = randn(Wrong, H);

        RnnAssert.Throws("state", () => cell.forward(randn(N, I), state), $"[{N}, {H}]", $"[{Wrong}, {H}]");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_ThreeDimensionalState_ThrowsNamingStateWithBothShapes(string kind)
    {
        using var scope = NewDisposeScope();
        using var cell = Cell(kind);
        var state = GoodState(cell);
        state[0] = randn(1, N, H);

        RnnAssert.Throws("state", () => cell.forward(randn(N, I), state), $"[{N}, {H}]", $"[1, {N}, {H}]");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_Float64InputIntoFloat32Cell_ThrowsNamingInputWithBothDtypes(string kind)
    {
        using var scope = NewDisposeScope();
        using var cell = Cell(kind);

        RnnAssert.Throws("input", () => cell.forward(randn(N, I, ScalarType.Float64)), "Float32", "Float64");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_StateOfOtherDtype_ThrowsNamingStateWithBothDtypes(string kind)
    {
        using var scope = NewDisposeScope();
        using var cell = Cell(kind);
        var state = GoodState(cell);
        state[0] = randn(N, H, ScalarType.Float64);

        RnnAssert.Throws("state", () => cell.forward(randn(N, I), state), "Float32", "Float64");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Forward_ValidCall_ReturnsStateCountTensorsOfShapeNByH(string kind)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var cell = Cell(kind);

        foreach (var state in new[] { null, GoodState(cell) })
        {
            var next = cell.forward(randn(N, I), state);

            Assert.Equal(cell.StateCount, next.Length);
            foreach (var t in next) Assert.Equal(new long[] { N, H }, t.shape);
        }
    }

    public static TheoryData<string, int, int, string> BadSizes() => new()
    {
        { "lstm", 0, H, "inputSize" }, { "lstm", I, 0, "hiddenSize" }, { "lstm", -1, H, "inputSize" },
        { "gru", 0, H, "inputSize" }, { "gru", I, 0, "hiddenSize" },
        { "rnn", 0, H, "inputSize" }, { "rnn", I, 0, "hiddenSize" },
    };

    [Theory]
    [MemberData(nameof(BadSizes))]
    public void Create_SizeBelowOne_ThrowsOutOfRangeNamingTheSize(string kind, int inputSize, int hiddenSize, string paramName)
    {
        Func<RecurrentCell> create = kind switch
        {
            "lstm" => () => LstmCell.Create(inputSize, hiddenSize),
            "gru" => () => GruCell.Create(inputSize, hiddenSize),
            _ => () => RnnCell.Create(inputSize, hiddenSize),
        };

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => create());
        Assert.Equal(paramName, ex.ParamName);
        int bad = paramName == "inputSize" ? inputSize : hiddenSize;
        Assert.Equal(bad, ex.ActualValue);
        RnnAssert.Mentions(ex, "1", bad.ToString());
    }

    [Fact]
    public void Create_IntegerDtype_ThrowsNamingDtype()
    {
        RnnAssert.Throws("dtype", () => GruCell.Create(I, H, dtype: ScalarType.Int32), "Int32");
    }
}
