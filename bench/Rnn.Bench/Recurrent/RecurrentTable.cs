using System.Globalization;
using System.Text;
using RnnMl.Torch.Layers;

namespace RnnMl.Bench;

/// <summary>Fixed-width text table of <see cref="RecurrentRow"/>s.</summary>
internal static class RecurrentTable
{
    private static readonly (string Header, int Width)[] Columns =
    [
        ("cell", 5), ("L", 2), ("D", 2), ("lengths", 10), ("mode", 6), ("n", 3),
        ("raw ms", 9), ("fused ms", 9), ("comp ms", 9),
        ("raw GF/s", 9), ("fused GF/s", 11), ("comp GF/s", 10),
        ("fused/raw", 10), ("comp/fused", 11), ("rag ms", 9), ("pad ms", 9), ("gemm ms", 9), ("auto", 7), ("auto/best", 10),
    ];

    /// <summary>The legend (conventions) and the column header lines.</summary>
    public static IEnumerable<string> Header(RecurrentConfig shape, int warmup, int rounds, int headlineRounds)
    {
        yield return $"# N={shape.Batch} T={shape.Steps} I={shape.InputSize} H={shape.HiddenSize}, float32, CPU, time-major; raw = TorchSharp torch.nn.LSTM/GRU/RNN (tanh),";
        yield return "#   fused / comp = our layer with RecurrentBackend.Fused / Composed, same weights (load_state_dict).";
        yield return "# mode fwd = forward only (eval, torch.no_grad()); train = forward + output.sum() + backward + zero_grad.";
        yield return $"# ms = median per iteration over n interleaved rounds (default {rounds}; {headlineRounds} for LSTM L1 D1) after {warmup} warm-up; each iteration in its own NewDisposeScope.";
        yield return "# FLOPs (matmuls only): per layer-direction fwd = 2*T*N*G*H*(I_layer+H), G = 4 LSTM / 3 GRU / 1 RNN,";
        yield return "#   I_layer = I for layer 0, D*H above; train = 3 x fwd. Variable-length rows count valid steps only (sum of lengths for T*N).";
        yield return "# fused/raw = raw ms / fused ms, comp/fused = fused ms / comp ms (throughput ratios, higher is better).";
        yield return "# Variable lengths: raw = pack_padded_sequence(enforce_sorted=false) + module + pad_packed_sequence; fused/comp get lengths;";
        yield return "#   rag ms = our layer with RecurrentBackend.FusedRagged and the lengths (padded batch, per-sequence reversal, no packing);";
        yield return "#   pad ms = our fused layer on the same padded batch WITHOUT lengths (all T steps), to compare packing with padding.";
        yield return "# gemm ms = our layer with RecurrentBackend.ComposedGemm (LSTM only: one autograd node per layer-direction whose backward";
        yield return "#   forms the weight gradients with one matrix product over all steps).";
        yield return "# auto = the backend RecurrentBackend.Auto runs for the row (fused / comp / ragged / gemm); auto/best = fastest of fused, comp, rag, gemm ms";
        yield return "#   / Auto's ms (1.000 when Auto picked the fastest exact backend).";
        var header = new StringBuilder();
        var rule = new StringBuilder();
        for (int i = 0; i < Columns.Length; i++)
        {
            var (name, width) = Columns[i];
            header.Append(i < 5 ? name.PadRight(width) : name.PadLeft(width)).Append(' ');
            rule.Append(new string('-', width)).Append(' ');
        }
        yield return header.ToString().TrimEnd();
        yield return rule.ToString().TrimEnd();
    }

    /// <summary>One row, aligned under <see cref="Header"/>.</summary>
    public static string Format(RecurrentRow row)
    {
        var c = row.Config;
        string lengths = c.VariableLength ? $"U[{c.Steps / 2},{c.Steps}]" : "full";
        string[] cells =
        [
            c.CellName, c.Layers.ToString(CultureInfo.InvariantCulture), c.Directions.ToString(CultureInfo.InvariantCulture), lengths,
            row.Train ? "train" : "fwd", row.Rounds.ToString(CultureInfo.InvariantCulture),
            Num(row.RawMs, 1), Num(row.FusedMs, 1), Num(row.ComposedMs, 1),
            Num(Timing.Gflops(row.Flops, row.RawMs), 1), Num(Timing.Gflops(row.Flops, row.FusedMs), 1), Num(Timing.Gflops(row.Flops, row.ComposedMs), 1),
            Num(row.FusedVsRaw, 3), Num(row.ComposedVsFused, 3),
            row.RaggedMs is { } r ? Num(r, 1) : "-",
            row.PaddedMs is { } p ? Num(p, 1) : "-",
            row.GemmMs is { } g ? Num(g, 1) : "-",
            ShortName(row.Auto), Num(row.AutoVsBest, 3),
        ];
        var line = new StringBuilder();
        for (int i = 0; i < Columns.Length; i++)
        {
            int width = Columns[i].Width;
            line.Append(i < 5 ? cells[i].PadRight(width) : cells[i].PadLeft(width)).Append(' ');
        }
        return line.ToString().TrimEnd();
    }

    /// <summary>fused, comp, ragged or gemm, as in the column names.</summary>
    public static string ShortName(RecurrentBackend backend) => backend switch
    {
        RecurrentBackend.Composed => "comp",
        RecurrentBackend.FusedRagged => "ragged",
        RecurrentBackend.ComposedGemm => "gemm",
        _ => "fused",
    };

    private static string Num(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);
}
