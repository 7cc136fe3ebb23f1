using Microsoft.ML.OnnxRuntime;
using Names = RnnMl.Text.Export.Seq2SeqGraphNames;

namespace RnnMl.Onnx.Internal;

/// <summary>The decoder's state across the steps of one batch; the encoder's outputs stay pinned as constant inputs (one
/// row per decoder row), re-laid out only when <see cref="Advance"/> changes which sentence each row decodes.</summary>
/// <remarks>Shapes: R decoder rows, L layers, Q hidden size, V target vocabulary.</remarks>
internal sealed class DecoderRun : IDisposable
{
    private readonly TranslatorGraphs graphs;
    private int rows;
    private int[] rowSentence;
    private readonly List<Constant> constants = new();
    private readonly Dictionary<string, Constant> constantByName = new(StringComparer.Ordinal);
    private float[]? newH, newC, newFeed;

    /// <param name="graphs">The graphs.</param>
    /// <param name="rowSentence">For each decoder row, the sentence it decodes.</param>
    public DecoderRun(TranslatorGraphs graphs, int[] rowSentence)
    {
        this.graphs = graphs;
        this.rowSentence = rowSentence;
        rows = rowSentence.Length;
    }

    /// <summary>R, the decoder rows of the next step.</summary>
    public int Rows => rows;

    /// <summary>h (L, R, Q).</summary>
    public float[] H { get; set; } = Array.Empty<float>();

    /// <summary>LSTM c (L, R, Q), or null.</summary>
    public float[]? C { get; set; }

    /// <summary>The input-feeding vector (R, Q), or null.</summary>
    public float[]? Feed { get; set; }

    /// <summary>Pins an input that stays the same at every step (memory, keys, source mask).</summary>
    public void AddConstant<T>(string name, T[] data, long[] shape) where T : unmanaged
    {
        var constant = new Constant<T>(data, shape);
        constants.Add(constant);
        constantByName[name] = constant;
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
                _ => constantByName[name].Value,
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

    /// <summary>Takes the last step's state, reordered so that row j continues row <paramref name="select"/>[j] (null keeps
    /// the order); <paramref name="select"/> may be shorter or longer than R (the next step's rows). A row decodes the
    /// sentence of the row it continues; the constant inputs are laid out again only when that changes a row's sentence.</summary>
    public void Advance(int[]? select)
    {
        int l = graphs.Layers, q = graphs.HiddenSize;
        H = select is null ? newH! : SelectAxis1(newH, l, rows, q, select);
        if (newC is not null) C = select is null ? newC : SelectAxis1(newC, l, rows, q, select);
        if (newFeed is not null) Feed = select is null ? newFeed : SelectAxis1(newFeed, 1, rows, q, select);
        if (select is null) return;
        var sentences = select.Select(j => rowSentence[j]).ToArray();
        if (!sentences.AsSpan().SequenceEqual(rowSentence))
            foreach (var c in constants) c.SelectRows(select);
        rowSentence = sentences;
        rows = select.Length;
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
        foreach (var c in constants) c.Dispose();
    }

    // An input that stays the same from step to step, (R, …) with one row per decoder row.
    private abstract class Constant : IDisposable
    {
        public OrtValue Value { get; protected set; } = null!;
        public abstract void SelectRows(int[] select);
        public void Dispose() => Value.Dispose();
    }

    private sealed class Constant<T> : Constant where T : unmanaged
    {
        private T[] data;
        private readonly long[] shape;

        public Constant(T[] data, long[] shape)
        {
            this.data = data;
            this.shape = shape;
            Value = OrtValue.CreateTensorValueFromMemory(data, shape);
        }

        // Row j of the new layout is row select[j] of the current one.
        public override void SelectRows(int[] select)
        {
            int size = (int)(data.Length / shape[0]);
            var next = new T[select.Length * size];
            for (int j = 0; j < select.Length; j++) data.AsSpan(select[j] * size, size).CopyTo(next.AsSpan(j * size, size));
            Value.Dispose();
            data = next;
            shape[0] = select.Length;
            Value = OrtValue.CreateTensorValueFromMemory(data, shape);
        }
    }
}
