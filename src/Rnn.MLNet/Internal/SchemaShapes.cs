using RnnMl.MLNet.Classification;

namespace RnnMl.MLNet.Internal;

/// <summary>
/// Builds the estimator's output <see cref="SchemaShape"/>. ML.NET keeps the constructor of <c>SchemaShape.Column</c>
/// internal, so the added columns are described through a public <c>CustomMapping</c> estimator's schema definition.
/// </summary>
internal static class SchemaShapes
{
    public static SchemaShape Classifier(SchemaShape input, ClassificationKind kind, int classCount, bool hasClassNames,
        string score, string probability, string predictedLabel)
    {
        var ml = new MLContext();
        if (kind == ClassificationKind.Binary)
        {
            var definition = SchemaDefinition.Create(typeof(BinaryRow));
            definition[nameof(BinaryRow.Score)].ColumnName = score;
            definition[nameof(BinaryRow.Probability)].ColumnName = probability;
            definition[nameof(BinaryRow.PredictedLabel)].ColumnName = predictedLabel;
            // The same annotations as the fitted transformer's columns (OutputColumns.AddTo).
            AddKind(definition[nameof(BinaryRow.Score)], "BinaryClassification", "Score");
            AddKind(definition[nameof(BinaryRow.Probability)], "BinaryClassification", "Probability");
            AddKind(definition[nameof(BinaryRow.PredictedLabel)], "BinaryClassification", "PredictedLabel");
            return ml.Transforms.CustomMapping<PlaceholderRow, BinaryRow>(static (_, _) => { }, null, null, definition).GetOutputSchema(input);
        }
        var multi = SchemaDefinition.Create(typeof(MulticlassRow));
        var s = multi[nameof(MulticlassRow.Score)];
        s.ColumnName = score;
        s.ColumnType = new VectorDataViewType(NumberDataViewType.Single, classCount);
        var p = multi[nameof(MulticlassRow.PredictedLabel)];
        p.ColumnName = predictedLabel;
        p.ColumnType = new KeyDataViewType(typeof(uint), classCount);
        AddKind(s, "MulticlassClassification", "Score");
        AddKind(p, "MulticlassClassification", "PredictedLabel");
        if (hasClassNames)
        {
            // Only the annotation's presence and type matter in a schema shape (MapKeyToValue checks for it).
            var names = new VBuffer<ReadOnlyMemory<char>>(classCount, Enumerable.Range(0, classCount).Select(i => i.ToString().AsMemory()).ToArray());
            p.AddAnnotation("KeyValues", names, new VectorDataViewType(TextDataViewType.Instance, classCount));
            s.AddAnnotation("SlotNames", names, new VectorDataViewType(TextDataViewType.Instance, classCount));
        }
        return ml.Transforms.CustomMapping<PlaceholderRow, MulticlassRow>(static (_, _) => { }, null, null, multi).GetOutputSchema(input);
    }

    /// <summary>The input shape with a regressor's Single <paramref name="score"/> column added (ScoreColumnKind Regression).</summary>
    public static SchemaShape Regression(SchemaShape input, string score)
    {
        var definition = SchemaDefinition.Create(typeof(RegressionRow));
        definition[nameof(RegressionRow.Score)].ColumnName = score;
        AddKind(definition[nameof(RegressionRow.Score)], "Regression", "Score");
        return new MLContext().Transforms.CustomMapping<PlaceholderRow, RegressionRow>(static (_, _) => { }, null, null, definition).GetOutputSchema(input);
    }

    private sealed class RegressionRow
    {
        public float Score { get; set; }
    }

    /// <summary>The input shape with a String column <paramref name="output"/> added.</summary>
    public static SchemaShape Text(SchemaShape input, string output)
    {
        var definition = SchemaDefinition.Create(typeof(TextRow));
        definition[nameof(TextRow.Text)].ColumnName = output;
        return new MLContext().Transforms.CustomMapping<PlaceholderRow, TextRow>(static (_, _) => { }, null, null, definition).GetOutputSchema(input);
    }

    /// <summary>The input shape with a tagger's columns added: predicted tags (a vector of keys, with key values when the
    /// label has them) and per-token scores.</summary>
    public static SchemaShape Tagger(SchemaShape input, bool hasTagNames, string predictedLabel, string score)
    {
        var definition = SchemaDefinition.Create(typeof(TaggerRow));
        var p = definition[nameof(TaggerRow.PredictedLabel)];
        p.ColumnName = predictedLabel;
        // Shapes record neither vector sizes nor key counts; any count will do here.
        p.ColumnType = new VectorDataViewType(new KeyDataViewType(typeof(uint), 2));
        if (hasTagNames)
        {
            var names = new VBuffer<ReadOnlyMemory<char>>(2, new[] { "0".AsMemory(), "1".AsMemory() });
            p.AddAnnotation("KeyValues", names, new VectorDataViewType(TextDataViewType.Instance, 2));
        }
        var s = definition[nameof(TaggerRow.Score)];
        s.ColumnName = score;
        s.ColumnType = new VectorDataViewType(NumberDataViewType.Single);
        return new MLContext().Transforms.CustomMapping<PlaceholderRow, TaggerRow>(static (_, _) => { }, null, null, definition).GetOutputSchema(input);
    }

    /// <summary>The input shape with the forecaster's <c>Vector&lt;Single&gt;</c> columns <paramref name="outputs"/> added.</summary>
    public static SchemaShape Forecaster(SchemaShape input, IEnumerable<string> outputs)
    {
        var ml = new MLContext();
        foreach (var name in outputs)
        {
            var definition = SchemaDefinition.Create(typeof(VectorRow));
            var v = definition[nameof(VectorRow.Values)];
            v.ColumnName = name;
            // Shapes record no vector sizes; any size will do here.
            v.ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1);
            input = ml.Transforms.CustomMapping<PlaceholderRow, VectorRow>(static (_, _) => { }, null, null, definition).GetOutputSchema(input);
        }
        return input;
    }

    private sealed class VectorRow
    {
        public float[] Values { get; set; } = Array.Empty<float>();
    }

    private static void AddKind(SchemaDefinition.Column column, string kind, string valueKind)
    {
        column.AddAnnotation("ScoreColumnKind", kind.AsMemory(), TextDataViewType.Instance);
        column.AddAnnotation("ScoreValueKind", valueKind.AsMemory(), TextDataViewType.Instance);
    }

    private sealed class BinaryRow
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    private sealed class TaggerRow
    {
        public uint[] PredictedLabel { get; set; } = Array.Empty<uint>();
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private sealed class MulticlassRow
    {
        public float[] Score { get; set; } = Array.Empty<float>();
        public uint PredictedLabel { get; set; }
    }
}
