using RnnMl.MLNet.Classification;

namespace RnnMl.MLNet.Internal;

/// <summary>The columns a classifier adds, with ML.NET's names, types and annotations, and how each is computed from logits.</summary>
internal sealed class OutputColumns
{
    private readonly ReadOnlyMemory<char>[]? classNames;

    public OutputColumns(ClassificationKind kind, int classCount, string score, string probability, string predictedLabel, string[]? classNames)
    {
        Kind = kind;
        ClassCount = classCount;
        Names = kind == ClassificationKind.Binary ? new[] { score, probability, predictedLabel } : new[] { score, predictedLabel };
        ClassNames = classNames;
        this.classNames = classNames?.Select(n => n.AsMemory()).ToArray();
    }

    public ClassificationKind Kind { get; }
    public int ClassCount { get; }
    public string[] Names { get; }
    public string[]? ClassNames { get; }

    public void AddTo(DataViewSchema.Builder builder)
    {
        if (Kind == ClassificationKind.Binary)
        {
            builder.AddColumn(Names[0], NumberDataViewType.Single, ScoreAnnotations("BinaryClassification", null));
            builder.AddColumn(Names[1], NumberDataViewType.Single, ScoreAnnotations("BinaryClassification", "Probability"));
            builder.AddColumn(Names[2], BooleanDataViewType.Instance, ScoreAnnotations("BinaryClassification", "PredictedLabel"));
            return;
        }
        var scoreAnnotations = new DataViewSchema.Annotations.Builder();
        AddKind(scoreAnnotations, "MulticlassClassification", "Score");
        if (classNames is not null) AddNames(scoreAnnotations, AnnotationSlotNames);
        builder.AddColumn(Names[0], new VectorDataViewType(NumberDataViewType.Single, ClassCount), scoreAnnotations.ToAnnotations());
        var labelAnnotations = new DataViewSchema.Annotations.Builder();
        AddKind(labelAnnotations, "MulticlassClassification", "PredictedLabel");
        if (classNames is not null) AddNames(labelAnnotations, AnnotationKeyValues);
        builder.AddColumn(Names[1], new KeyDataViewType(typeof(uint), ClassCount), labelAnnotations.ToAnnotations());
    }

    /// <summary>A getter for output column <paramref name="index"/> whose value is computed from <paramref name="logits"/>.</summary>
    public Delegate Getter(int index, Func<float[]> logits)
    {
        if (Kind == ClassificationKind.Binary)
        {
            return index switch
            {
                // ML.NET's binary Score is the margin; with two logits that is l1 − l0, and σ(l1 − l0) = softmax(l)[1].
                0 => (ValueGetter<float>)((ref float v) => { var l = logits(); v = l[1] - l[0]; }),
                1 => (ValueGetter<float>)((ref float v) => { var l = logits(); v = Sigmoid(l[1] - l[0]); }),
                _ => (ValueGetter<bool>)((ref bool v) => { var l = logits(); v = l[1] > l[0]; }),
            };
        }
        return index switch
        {
            0 => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
            {
                var p = Softmax(logits());
                var editor = VBufferEditor.Create(ref v, p.Length);
                p.CopyTo(editor.Values);
                v = editor.Commit();
            }),
            _ => (ValueGetter<uint>)((ref uint v) => v = (uint)ArgMax(logits()) + 1),
        };
    }


    private const string AnnotationKeyValues = "KeyValues";
    private const string AnnotationSlotNames = "SlotNames";

    private static DataViewSchema.Annotations ScoreAnnotations(string kind, string? valueKind)
    {
        var b = new DataViewSchema.Annotations.Builder();
        AddKind(b, kind, valueKind ?? "Score");
        return b.ToAnnotations();
    }

    private static void AddKind(DataViewSchema.Annotations.Builder b, string kind, string valueKind)
    {
        b.Add("ScoreColumnKind", TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = kind.AsMemory());
        b.Add("ScoreValueKind", TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = valueKind.AsMemory());
    }

    private void AddNames(DataViewSchema.Annotations.Builder b, string name)
    {
        var names = classNames!;
        b.Add(name, new VectorDataViewType(TextDataViewType.Instance, names.Length), (ref VBuffer<ReadOnlyMemory<char>> v) =>
        {
            var editor = VBufferEditor.Create(ref v, names.Length);
            names.CopyTo(editor.Values);
            v = editor.Commit();
        });
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    private static float[] Softmax(float[] l)
    {
        float max = l.Max();
        var e = l.Select(x => MathF.Exp(x - max)).ToArray();
        float sum = e.Sum();
        for (int i = 0; i < e.Length; i++) e[i] /= sum;
        return e;
    }

    private static int ArgMax(float[] l)
    {
        int best = 0;
        for (int i = 1; i < l.Length; i++) if (l[i] > l[best]) best = i;
        return best;
    }
}
