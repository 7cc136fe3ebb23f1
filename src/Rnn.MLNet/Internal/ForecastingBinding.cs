namespace RnnMl.MLNet.Internal;

/// <summary>
/// A forecaster bound to one input schema: reads the target (and known covariate) columns (rows in order are time steps)
/// and adds, per target, the forecast of the next H steps made from the L rows ending at the current row, and its lower and
/// upper bounds (<c>Vector&lt;Single, H&gt;</c> each).
/// </summary>
/// <remarks>
/// Each reader (one per cursor, or per row mapper) keeps a ring buffer of the last rows it has read (L, or L + H with
/// covariates), so a window is complete only after L consecutive rows with finite values in every target (and, with
/// covariates, L + H rows with finite covariates); until then (the first L − 1 rows, and the L − 1 rows after a NaN or
/// ±∞) the added columns hold NaN. With forward-fill a non-finite value takes the column's last finite value instead.
/// With covariates a forecast needs the H rows after its row: <c>Transform</c>'s cursor reads H rows ahead
/// (<see cref="Lead"/>), the last H rows get NaN, and a row mapper (one row at a time) always gives NaN. A cursor has to
/// read the rows in order, which <c>Transform</c>'s batched cursor does.
/// </remarks>
internal sealed class ForecastingBinding : IRowBinding<float[]?, ForecastOutput>
{
    private readonly ForecasterCore core;
    private readonly DataViewSchema.Column[] columns;
    private readonly int targetCount;
    private readonly bool forwardFill;

    public ForecastingBinding(ForecasterCore core, ForecasterColumns names, DataViewSchema input)
    {
        this.core = core;
        Input = input;
        columns = names.Read.Select((name, j) => RequireSingle(input, name, j < names.Targets.Length ? "target" : "covariate")).ToArray();
        targetCount = names.Targets.Length;
        forwardFill = names.MissingValues == Torch.Models.MissingValuePolicy.ForwardFill;
        SourceColumn = columns[0];
        Output = IRowBinding.Extend(input, builder =>
        {
            foreach (var name in names.Outputs)
                builder.AddColumn(name, new VectorDataViewType(NumberDataViewType.Single, core.Horizon));
        });
        OutputCount = names.Outputs.Length;
    }

    /// <summary>The column <paramref name="name"/>, checked to be a scalar Single; <paramref name="role"/> ("target" or "covariate") is named in errors.</summary>
    public static DataViewSchema.Column RequireSingle(DataViewSchema schema, string name, string role = "target")
    {
        var column = Pipeline.ColumnCheck.Require(schema, name, role);
        if (column.Type != NumberDataViewType.Single)
            throw Pipeline.ColumnCheck.Mismatch(role, name, "Single", column.Type.ToString());
        return column;
    }

    public DataViewSchema Input { get; }
    public DataViewSchema Output { get; }
    public DataViewSchema.Column SourceColumn { get; }
    public int OutputCount { get; }

    public IReadOnlyList<DataViewSchema.Column> SourceColumns => columns;

    /// <summary>H with covariates (a forecast reads the next H rows' covariates), else 0.</summary>
    public int Lead => core.Covariates > 0 ? core.Horizon : 0;

    /// <summary>The row mapper's reader: without covariates the window ending at this row; with them always null (NaN), since
    /// the next H rows are not known.</summary>
    public Func<float[]?> Reader(DataViewRow row)
    {
        if (Lead == 0) return LeadReader(row);
        var read = RowReader(row);
        return () => { read(); return null; };
    }

    /// <summary>At row r: the window of row r − <see cref="Lead"/> (targets of its L rows, covariates of those and the next H rows), or null.</summary>
    public Func<float[]?> LeadReader(DataViewRow row)
    {
        int c = targetCount, k = core.Covariates, l = core.Lookback, span = l + Lead, width = columns.Length;
        var read = RowReader(row);
        var ring = new float[span * width];
        int next = 0, seen = 0;
        return () =>
        {
            read().CopyTo(ring, next * width);
            next = (next + 1) % span;
            if (++seen < span) return null;
            // Oldest first: the oldest row sits where the next row will be written.
            var window = new float[core.WindowLength];
            for (int t = 0; t < span; t++)
            {
                int at = (next + t) % span * width;
                for (int j = 0; j < c && t < l; j++)
                    if (!float.IsFinite(window[t * c + j] = ring[at + j])) return null;
                for (int j = 0; j < k; j++)
                    if (!float.IsFinite(window[l * c + t * k + j] = ring[at + c + j])) return null;
            }
            return window;
        };
    }

    /// <summary>Reads the current row's values (targets, then covariates), forward-filled when asked.</summary>
    private Func<float[]> RowReader(DataViewRow row)
    {
        var getters = columns.Select(t => row.GetGetter<float>(t)).ToArray();
        var values = new float[columns.Length];
        var last = Enumerable.Repeat(float.NaN, columns.Length).ToArray();
        return () =>
        {
            for (int j = 0; j < values.Length; j++)
            {
                getters[j](ref values[j]);
                if (!forwardFill) continue;
                if (float.IsFinite(values[j])) last[j] = values[j];
                else values[j] = last[j];
            }
            return values;
        };
    }

    public IReadOnlyList<ForecastOutput> Compute(IReadOnlyList<float[]?> rows) => core.Forecast(rows);

    public Delegate Getter(int k, Func<ForecastOutput> current)
    {
        int channel = k / 3, kind = k % 3, c = targetCount, h = core.Horizon;
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> v) =>
        {
            var o = current();
            var values = kind == 0 ? o.Point : kind == 1 ? o.Lower : o.Upper;
            var editor = VBufferEditor.Create(ref v, h);
            for (int s = 0; s < h; s++) editor.Values[s] = values[s * c + channel];
            v = editor.Commit();
        };
        return getter;
    }
}
