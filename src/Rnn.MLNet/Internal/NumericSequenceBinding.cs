using RnnMl.MLNet.Classification;

namespace RnnMl.MLNet.Internal;

/// <summary>
/// A numeric-sequence model bound to one input schema: reads the <c>Vector&lt;Single&gt;</c> features column (checking
/// each row's length and missing values, naming the row) and adds ML.NET's columns: <c>Score</c> (Single) for regression,
/// or the classifier columns of <see cref="OutputColumns"/>.
/// </summary>
internal sealed class NumericSequenceBinding : IRowBinding<float[], float[]>
{
    private readonly NumericSequenceCore core;
    private readonly OutputColumns? classes;
    private readonly string? regressionScore;

    /// <param name="core">The trained network.</param>
    /// <param name="featuresColumnName">The input column.</param>
    /// <param name="classes">The classifier's columns, or null for regression.</param>
    /// <param name="regressionScore">The regression score column (when <paramref name="classes"/> is null).</param>
    /// <param name="input">The input schema.</param>
    public NumericSequenceBinding(NumericSequenceCore core, string featuresColumnName, OutputColumns? classes, string? regressionScore, DataViewSchema input)
    {
        (this.core, this.classes, this.regressionScore) = (core, classes, regressionScore);
        Input = input;
        SourceColumn = RequireFeatures(input, featuresColumnName);
        Output = IRowBinding.Extend(input, builder =>
        {
            if (classes is not null) classes.AddTo(builder);
            else builder.AddColumn(regressionScore!, NumberDataViewType.Single, RegressionAnnotations());
        });
        OutputCount = classes?.Names.Length ?? 1;
    }

    /// <summary>The features column of <paramref name="schema"/>, checked to be a vector of Single (of any size).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or of another type (naming expected and actual types).</exception>
    public static DataViewSchema.Column RequireFeatures(DataViewSchema schema, string name)
    {
        var column = ColumnCheck.Require(schema, name);
        if (column.Type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Single)
            throw ColumnCheck.Mismatch("input", name, "Vector<Single>", column.Type.ToString());
        return column;
    }

    /// <summary>A reader of the features of the current row of <paramref name="row"/>, checked and filled.</summary>
    public static Func<float[]> FeatureReader(DataViewRow row, DataViewSchema.Column column, Func<float[], long, float[]> prepare, Func<long> index)
    {
        var get = row.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        return () =>
        {
            get(ref buffer);
            return prepare(buffer.IsDense ? buffer.GetValues().ToArray() : buffer.DenseValues().ToArray(), index());
        };
    }

    /// <summary>Score annotations of a regressor, as ML.NET's own regression trainers set them.</summary>
    public static DataViewSchema.Annotations RegressionAnnotations()
    {
        var b = new DataViewSchema.Annotations.Builder();
        b.Add("ScoreColumnKind", TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = "Regression".AsMemory());
        b.Add("ScoreValueKind", TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = "Score".AsMemory());
        return b.ToAnnotations();
    }

    public DataViewSchema Input { get; }
    public DataViewSchema Output { get; }
    public DataViewSchema.Column SourceColumn { get; }
    public int OutputCount { get; }

    public Func<float[]> Reader(DataViewRow row) => FeatureReader(row, SourceColumn, core.Prepare, () => row.Position);

    public IReadOnlyList<float[]> Compute(IReadOnlyList<float[]> rows) => core.Score(rows);

    public Delegate Getter(int k, Func<float[]> current) =>
        classes is not null ? classes.Getter(k, current) : (ValueGetter<float>)((ref float v) => v = current()[0]);
}
