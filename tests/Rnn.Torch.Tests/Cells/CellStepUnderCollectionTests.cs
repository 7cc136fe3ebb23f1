using RnnMl.Torch.Cells;
using RnnMl.Torch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Cells;

/// <summary>
/// Guards the <c>PinnedScalars</c> workaround: TorchSharp passes an implicitly created <see cref="Scalar"/> (the
/// <c>1</c> in <c>a + b</c> or <c>addcmul_(x, y, 1)</c>) to libtorch without keeping it alive, so a garbage collection
/// on another thread can free it mid-call ("Expected false to be true" from <c>Scalar::toDouble</c>). With literals in
/// the step functions this test failed (about once per 40,000 LSTM steps); the cells now use process-lifetime scalars.
/// </summary>
public class CellStepUnderCollectionTests
{
    private const int Steps = 80_000;

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void Step_WhileAnotherThreadCollects_NeverFailsAndGivesTheSameValues(string kind)
    {
        using var cell = kind == "lstm" ? (RecurrentCell)LstmCell.Create(3, 5, dtype: float64) : GruCell.Create(3, 5, dtype: float64);
        using var x = randn(2, 3, dtype: float64);
        var state = Enumerable.Range(0, cell.StateCount).Select(_ => randn(2, 5, dtype: float64)).ToArray();
        try
        {
            var (failures, different, first) = UnderCollection.Run(() => Once(cell, x, state), Steps);
            Assert.True(failures == 0, $"{failures} of {Steps} steps failed, first: {first}");
            Assert.Equal(0, different);
        }
        finally
        {
            foreach (var s in state) s.Dispose();
        }
    }

    private static Tensor Once(RecurrentCell cell, Tensor x, Tensor[] state)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var projected = cell.ProjectInput(x);
        return cell.Step(projected, state)[0].MoveToOuterDisposeScope();
    }
}
