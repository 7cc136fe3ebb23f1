using RnnMl.Torch.Models;
using static TorchSharp.torch;

namespace RnnMl.Torch.Decoding;

/// <summary>
/// The encoder memory a beam-search step attends to. When every searching sentence has the same number G of live rows,
/// the memory keeps one row per sentence and a sentence's G rows attend to it together (no copy, the grouped path of
/// <see cref="Seq2SeqModel.StepFeatures"/>); when pruning or a shrinking beam leaves sentences with different numbers of
/// live rows, the memory is copied to one row per live row, and that copy is reused while the rows' sentences stay the same.
/// </summary>
internal sealed class RowMemory : IDisposable
{
    private EncoderMemory? expanded, source;
    private long[] index = Array.Empty<long>();
    private bool disposed;

    /// <summary>The memory for a step.</summary>
    /// <param name="memory">One row per searching sentence: row pos is sentence <paramref name="active"/>[pos].</param>
    /// <param name="active">The searching sentences, ascending.</param>
    /// <param name="live">The live global rows (sentence·K + beam), ascending; every searching sentence has at least one.</param>
    /// <param name="k">K, the beam width.</param>
    public EncoderMemory For(EncoderMemory memory, int[] active, int[] live, int k)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var rows = new long[live.Length];
        int pos = 0, count = 0, group = -1;
        bool uniform = true;
        for (int j = 0; j < live.Length; j++)
        {
            int sentence = live[j] / k;
            if (sentence != active[pos])
            {
                uniform &= group < 0 || group == count;
                group = count;
                count = 0;
                while (active[pos] != sentence) pos++;
            }
            count++;
            rows[j] = pos;
        }
        uniform &= group < 0 || group == count;
        if (uniform) return memory;
        if (expanded is null || !ReferenceEquals(source, memory) || !rows.AsSpan().SequenceEqual(index))
        {
            expanded?.Dispose();
            // Called inside the step's dispose scope: the copy moves to the search's, as it may serve several steps.
            using var at = tensor(rows, ScalarType.Int64, memory.Outputs.device);
            expanded = memory.Select(at).MoveToOuterDisposeScope();
            source = memory;
            index = rows;
        }
        return expanded;
    }

    /// <summary>Frees the copy.</summary>
    public void Dispose()
    {
        expanded?.Dispose();
        expanded = null;
        disposed = true;
    }
}
