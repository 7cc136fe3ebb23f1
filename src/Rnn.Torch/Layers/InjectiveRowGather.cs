using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace RnnMl.Torch.Layers;

/// <summary>
/// y = [src; 0].index_select(0, index): rows of src (R, F), or a zero row where the index is R, with no row of src
/// taken twice; as an autograd node whose backward is a gather too, dsrc = [dy; 0].index_select(0, back), back[r] being
/// the one output row that took row r (M, the zero row of [dy; 0], when none did). Autograd's own backward of
/// index_select is a scatter (index_add), the same trade as <see cref="RowPermutation"/>.
/// </summary>
/// <remarks>Used where the ragged paths gather whole batches of rows: the layout of segmented outputs
/// (<see cref="RaggedSegments"/>) and the packing of valid steps (<see cref="RaggedComposedRecurrence"/>). Without a
/// gradient to form it is a plain gather. Guarded by InjectiveRowGatherTests (gradients equal autograd's through
/// index_select) and every ragged parity test.</remarks>
internal sealed class InjectiveRowGather : SingleTensorFunction<InjectiveRowGather>
{
    /// <inheritdoc />
    public override string Name => nameof(InjectiveRowGather);

    /// <summary>For a gather <paramref name="index"/> (M) over <paramref name="rows"/> rows (R meaning a zero row), the
    /// output row that takes each source row, M where none does.</summary>
    /// <exception cref="InvalidOperationException">A source row is taken twice, or an index is outside [0, R].</exception>
    public static long[] Back(long[] index, long rows)
    {
        var back = new long[rows];
        Array.Fill(back, index.LongLength);
        for (long m = 0; m < index.LongLength; m++)
        {
            long r = index[m];
            if (r < 0 || r > rows) throw new InvalidOperationException($"gather index {m} is {r}, outside [0, {rows}]");
            if (r == rows) continue;
            if (back[r] != index.LongLength) throw new InvalidOperationException($"source row {r} is taken twice (output rows {back[r]} and {m})");
            back[r] = m;
        }
        return back;
    }

    /// <summary>[src; 0].index_select(0, <paramref name="index"/>).</summary>
    /// <param name="src">(R, F).</param>
    /// <param name="index">(M) int64 in [0, R], each value below R at most once.</param>
    /// <param name="back">(R) int64 from <see cref="Back"/>; needed only when the call is recorded for autograd
    /// (<see cref="Records"/>), so a caller without a gradient to form may skip building it and pass null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="back"/> is null on a recorded call.</exception>
    public static Tensor Apply(Tensor src, Tensor index, Tensor? back)
    {
        if (!Records(src)) return Gather(src, index);
        ArgumentNullException.ThrowIfNull(back, "back (the call is recorded for autograd, so its backward needs it)");
        return apply(src, index, back);
    }

    /// <summary>Whether <see cref="Apply"/> on <paramref name="src"/> is recorded for autograd (and so reads its back index).</summary>
    public static bool Records(Tensor src) => is_grad_enabled() && src.requires_grad;

    private static Tensor Gather(Tensor x, Tensor index)
    {
        using var zero = zeros(1, x.shape[1], x.dtype, x.device);
        return cat(new[] { x, zero }, 0).index_select(0, index);
    }

    /// <inheritdoc />
    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        // The index tensors belong to the caller; autograd keeps its own reference to the saved one.
        ctx.save_for_backward(new List<Tensor> { (Tensor)vars[2] });
        return Gather((Tensor)vars[0], (Tensor)vars[1]);
    }

    /// <inheritdoc />
    public override List<Tensor> backward(AutogradContext ctx, Tensor gradOutput)
        => new() { Gather(gradOutput, ctx.get_saved_variables()[0]), null!, null! };
}
