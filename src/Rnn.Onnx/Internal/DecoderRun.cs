using Microsoft.ML.OnnxRuntime;
using Names = RnnMl.Text.Export.Seq2SeqGraphNames;

namespace RnnMl.Onnx.Internal;

/// <summary>The decoder's state across the steps of one batch; the encoder's outputs stay pinned as constant inputs.</summary>
/// <remarks>Shapes: R decoder rows, L layers, Q hidden size, V target vocabulary.</remarks>
internal sealed class DecoderRun : IDisposable
{
    private readonly TranslatorGraphs graphs;
    private readonly int rows;
    private readonly List<OrtValue> constants = new();
    private readonly Dictionary<string, OrtValue> constantByName = new(StringComparer.Ordinal);
    private float[]? newH, newC, newFeed;

    public DecoderRun(TranslatorGraphs graphs, int rows)
    {
        this.graphs = graphs;
        this.rows = rows;
    }

    /// <summary>h (L, R, Q).</summary>
    public float[] H { get; set; } = Array.Empty<float>();

    /// <summary>LSTM c (L, R, Q), or null.</summary>
    public float[]? C { get; set; }

    /// <summary>The input-feeding vector (R, Q), or null.</summary>
    public float[]? Feed { get; set; }

    /// <summary>Pins an input that stays the same at every step (memory, keys, source mask).</summary>
    public void AddConstant<T>(string name, T[] data, long[] shape) where T : unmanaged
    {
        var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        constants.Add(value);
        constantByName[name] = value;
    }

    /// <summary>Runs one step for every row; returns the log-probabilities (R, V) and keeps the new state pending.</summary>
    public float[] Step(long[] previous)
    {
        int l = graphs.Layers, q = graphs.HiddenSize;
        var owned = new List<OrtValue>();
        try
        {
            OrtValue Own(OrtValue v) { owned.Add(v); return v; }
            var inputs = graphs.DecoderInputs.Select(name => name switch
            {
                Names.Previous => Own(OrtValue.CreateTensorValueFromMemory(previous, new long[] { rows })),
                Names.H => Own(OrtValue.CreateTensorValueFromMemory(H, new long[] { l, rows, q })),
                Names.C => Own(OrtValue.CreateTensorValueFromMemory(C!, new long[] { l, rows, q })),
                Names.Feed => Own(OrtValue.CreateTensorValueFromMemory(Feed!, new long[] { rows, q })),
                _ => constantByName[name],
            }).ToArray();
            using var options = new RunOptions();
            using var outputs = graphs.Decoder.Run(options, graphs.DecoderInputs, inputs, graphs.DecoderOutputs);
            newH = outputs[1].GetTensorDataAsSpan<float>().ToArray();
            int next = 2;
            newC = graphs.HasC ? outputs[next++].GetTensorDataAsSpan<float>().ToArray() : null;
            newFeed = graphs.HasFeed ? outputs[next].GetTensorDataAsSpan<float>().ToArray() : null;
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var v in owned) v.Dispose();
        }
    }

    /// <summary>Takes the last step's state, reordered so that row j continues row <paramref name="select"/>[j] (null keeps the order).</summary>
    public void Advance(int[]? select)
    {
        int l = graphs.Layers, q = graphs.HiddenSize;
        H = select is null ? newH! : SelectAxis1(newH, l, rows, q, select);
        if (newC is not null) C = select is null ? newC : SelectAxis1(newC, l, rows, q, select);
        if (newFeed is not null) Feed = select is null ? newFeed : SelectAxis1(newFeed, 1, rows, q, select);
    }

    /// <summary>(A, B, C) row-major → (A, rows.Length, C) taking index rows[j] along axis 1.</summary>
    public static float[] SelectAxis1(ReadOnlySpan<float> data, int a, int b, int c, int[] rows)
    {
        var result = new float[a * rows.Length * c];
        for (int i = 0; i < a; i++)
            for (int j = 0; j < rows.Length; j++)
                data.Slice((i * b + rows[j]) * c, c).CopyTo(result.AsSpan((i * rows.Length + j) * c, c));
        return result;
    }

    public void Dispose()
    {
        foreach (var v in constants) v.Dispose();
    }
}
