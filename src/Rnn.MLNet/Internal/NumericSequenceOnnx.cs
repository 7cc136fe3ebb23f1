using RnnMl.Export;
using RnnMl.MLNet.NumericSequence;
using RnnMl.Text.Export;

namespace RnnMl.MLNet.Internal;

/// <summary>ONNX export of an ML.NET numeric-sequence model (called by <see cref="RnnOnnxOperations.ExportRnnModelToOnnx(ModelOperationsCatalog, ITransformer, string, IReadOnlyList{string}?)"/>).</summary>
internal static class NumericSequenceOnnx
{
    /// <summary>The network with its feature standardisation (and a regressor's label scaling) inside the graph, the class
    /// names and the missing-value policy in the metadata, so <c>RnnMl.Onnx</c>'s <c>OnnxNumericSequenceModel</c> gives
    /// the transformer's scores.</summary>
    /// <exception cref="ArgumentException"><paramref name="classNames"/> does not name every class, or is given for a regressor.</exception>
    public static void Export(RecurrentNumericSequenceTransformer model, string filePath, IReadOnlyList<string>? classNames)
    {
        // Held to the end: a disposed model is refused before the file is touched, and a Dispose waits for the export.
        using var lease = model.Core.Gate.Enter();
        var core = model.Core;
        bool regression = model.Task == NumericSequenceTask.Regression;
        if (classNames is not null && (regression || classNames.Count != model.ClassCount))
            throw new ArgumentException($"class names must name the model's {model.ClassCount} classes, got {classNames.Count}", nameof(classNames));
        var names = classNames ?? model.ClassNames ?? (model.Task == NumericSequenceTask.BinaryClassification ? ["False", "True"] : null);
        var info = new NumericSequenceModelInfo(core.FeatureMeans, core.FeatureStds, core.LabelMean, core.LabelStd, names, core.ForwardFill);
        OnnxExporter.Export(core.Model, filePath, info);
    }
}
