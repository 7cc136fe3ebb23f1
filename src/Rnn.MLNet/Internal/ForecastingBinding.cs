namespace RnnMl.MLNet.Internal;

/// <summary>
/// A forecaster bound to one input schema: reads the target columns (rows in order are time steps) and adds, per target,
/// the forecast of the next H steps made from the L rows ending at the current row, and its lower and upper bounds
/// (<c>Vector&lt;Single, H&gt;</c> each).
/// </summary>
/// <remarks>
/// Each reader (one per cursor, or per row mapper) keeps a ring buffer of the last L rows it has read, so a window is
/// complete only after L consecutive rows with finite values in every target; until then (the first L − 1 rows, and the
/// L − 1 rows after a NaN or ±∞) the added columns hold NaN. A cursor therefore has to read the rows in order, which
/// <c>Transform</c>'s batched cursor does.
/// </remarks>
internal sealed class ForecastingBinding : IRowBinding<float[]?, ForecastOutput>
{
    private readonly ForecasterCore core;
    private readonly DataViewSchema.Column[] targets;

    public ForecastingBinding(ForecasterCore core, IReadOnlyList<string> targetColumns, IReadOnlyList<string> outputColumns, DataViewSchema input)
    {
        this.core = core;
        Input = input;
        targets = targetColumns.Select(name => RequireSingle(input, name)).ToArray();
        SourceColumn = targets[0];
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var name in outputColumns)
            builder.AddColumn(name, new VectorDataViewType(NumberDataViewType.Single, core.Horizon));
        Output = builder.ToSchema();
        OutputCount = outputColumns.Count;
    }

    /// <summary>The column <paramref name="name"/>, checked to be a scalar Single.</summary>
    public static DataViewSchema.Column RequireSingle(DataViewSchema schema, string name)
    {
        var column = Pipeline.ColumnCheck.Require(schema, name, "target");
        if (column.Type != NumberDataViewType.Single)
            throw Pipeline.ColumnCheck.Mismatch("target", name, "Single", column.Type.ToString());
        return column;
    }

    public DataViewSchema Input { get; }
    public DataViewSchema Output { get; }
    public DataViewSchema.Column SourceColumn { get; }
    public int OutputCount { get; }

    public IReadOnlyList<DataViewSchema.Column> SourceColumns => targets;

    public Func<float[]?> Reader(DataViewRow row)
    {
        int c = targets.Length, l = core.Lookback;
        var getters = targets.Select(t => row.GetGetter<float>(t)).ToArray();
        var ring = new float[l * c];
        int next = 0, finiteRun = 0;
        return () =>
        {
            bool finite = true;
            for (int j = 0; j < c; j++)
            {
                float v = 0;
                getters[j](ref v);
                ring[next * c + j] = v;
                finite &= float.IsFinite(v);
            }
            next = (next + 1) % l;
            finiteRun = finite ? finiteRun + 1 : 0;
            if (finiteRun < l) return null;
            // Oldest first: the oldest row sits where the next row will be written.
            var window = new float[l * c];
            Array.Copy(ring, next * c, window, 0, (l - next) * c);
            Array.Copy(ring, 0, window, (l - next) * c, next * c);
            return window;
        };
    }

    public IReadOnlyList<ForecastOutput> Compute(IReadOnlyList<float[]?> rows) => core.Forecast(rows);

    public ValueGetter<TValue> OutputGetter<TValue>(DataViewSchema.Column column, bool[] active, Func<ForecastOutput> current)
    {
        int k = column.Index - Input.Count;
        if (!active[k])
            throw new InvalidOperationException($"column '{column.Name}' is not active; ask for it when creating the row or cursor");
        int channel = k / 3, kind = k % 3, c = targets.Length, h = core.Horizon;
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> v) =>
        {
            var o = current();
            var values = kind == 0 ? o.Point : kind == 1 ? o.Lower : o.Upper;
            var editor = VBufferEditor.Create(ref v, h);
            for (int s = 0; s < h; s++) editor.Values[s] = values[s * c + channel];
            v = editor.Commit();
        };
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Invalid TValue in GetGetter for column '{column.Name}': expected {column.Type.RawType}, got {typeof(TValue)}");
    }
}
