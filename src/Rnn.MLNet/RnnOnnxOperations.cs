using RnnMl.Export;
using RnnMl.MLNet.Classification;
using RnnMl.MLNet.Forecasting;
using RnnMl.MLNet.Translation;
using RnnMl.Text.Export;

namespace RnnMl.MLNet;

/// <summary>ONNX export of fitted ML.NET models that hold an RnnMl text classifier or translator.</summary>
/// <remarks>
/// The exported file holds the classifier's network (see <see cref="OnnxExporter"/>) and, in its metadata, the
/// tokenizer settings, vocabulary, maximum sequence length and class names, so that <c>RnnMl.Onnx</c>'s
/// <c>OnnxTextClassifier</c> scores raw text from the one file without TorchSharp. Other ML.NET transforms of the
/// chain (label conversions, for instance) are not part of the export.
/// </remarks>
/// <example>
/// <code>
/// ml.Model.ExportRnnModelToOnnx(classifier, "sentiment.onnx");            // run it with RnnMl.Onnx.OnnxTextClassifier
/// ml.Model.ExportRnnTranslatorToOnnx(translator, "translator-onnx");      // run it with RnnMl.Onnx.OnnxTranslator
/// </code>
/// </example>
public static class RnnOnnxOperations
{
    /// <summary>Exports the RnnMl text classifier, sequence tagger or forecaster in <paramref name="model"/> to an ONNX file (opset <see cref="OnnxExporter.Opset"/>).
    /// A <see cref="Tagging.RecurrentSequenceTaggerTransformer"/> is written as its emission graph with the vocabularies, tag
    /// names and CRF scores in the metadata; <c>RnnMl.Onnx</c>'s <c>OnnxSequenceTagger</c> runs it.
    /// A <see cref="RecurrentForecasterTransformer"/> is written with its per-target z-scoring inside the graph and its
    /// target names in the metadata; <c>RnnMl.Onnx</c>'s <c>OnnxForecaster</c> runs it.</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="model">A fitted <see cref="RecurrentTextClassifierTransformer"/> or <see cref="RecurrentForecasterTransformer"/>, or a chain holding exactly one;
    /// or a <c>RecurrentNumericSequenceTransformer</c> (standardisation inside the graph; <c>RnnMl.Onnx</c>'s <c>OnnxNumericSequenceModel</c> runs it).</param>
    /// <param name="filePath">The .onnx file to write; the folder must exist. Written atomically.</param>
    /// <param name="classNames">Names to store for the classes, in class order; default the label's key values for
    /// multiclass and "False", "True" for binary (ML.NET's PredictedLabel values).</param>
    /// <exception cref="ObjectDisposedException">The classifier has been disposed (nothing is written).</exception>
    /// <exception cref="ArgumentException">The model holds no RnnMl text classifier or more than one, its input
    /// column is key-typed (then it has no vocabulary to export; export <c>transformer.Model</c> with <see cref="OnnxExporter"/>),
    /// or <paramref name="classNames"/> does not name every class.</exception>
    public static void ExportRnnModelToOnnx(this ModelOperationsCatalog catalog, ITransformer model, string filePath, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        var classifiers = Flatten(model).OfType<RecurrentTextClassifierTransformer>().ToList();
        var forecasters = Flatten(model).OfType<RecurrentForecasterTransformer>().ToList();
        if (classifiers.Count == 0 && forecasters.Count == 1)
        {
            if (classNames is not null)
                throw new ArgumentException($"class names are for classifiers; the model holds a forecaster, got {classNames.Count} names", nameof(classNames));
            ExportForecaster(forecasters[0], filePath);
            return;
        }
        var numeric = Flatten(model).OfType<NumericSequence.RecurrentNumericSequenceTransformer>().ToList();
        if (classifiers.Count == 0 && forecasters.Count == 0 && numeric.Count == 1)
        {
            NumericSequenceOnnx.Export(numeric[0], filePath, classNames);
            return;
        }
        var taggers = Flatten(model).OfType<Tagging.RecurrentSequenceTaggerTransformer>().ToList();
        if (classifiers.Count == 0 && forecasters.Count == 0 && taggers.Count == 1)
        {
            if (classNames is not null)
                throw new ArgumentException($"class names are for classifiers; a tagger's tag names are its label's key values, got {classNames.Count} names", nameof(classNames));
            // Held to the end: a disposed tagger is refused before the file is touched, and a Dispose waits for the export.
            using var taggerLease = taggers[0].Core.Gate.Enter();
            OnnxExporter.Export(taggers[0].Core.Model, filePath, taggers[0].Core.Info);
            return;
        }
        if (classifiers.Count != 1)
            throw new ArgumentException($"the model must hold exactly one RnnMl text classifier, tagger or forecaster to export, got {classifiers.Count} classifiers and {forecasters.Count} forecasters" +
                (Flatten(model).OfType<RecurrentTranslatorTransformer>().Any() ? " (it holds a translator: export it with ExportRnnTranslatorToOnnx)" : ""), nameof(model));
        var classifier = classifiers[0];
        // Held to the end: a disposed classifier is refused before the file is touched, and a Dispose waits for the export.
        using var lease = classifier.Core.Gate.Enter();
        var encoder = classifier.Core.Encoder;
        if (encoder.Vocabulary is null)
            throw new ArgumentException($"the classifier reads the key-typed column '{classifier.TextColumnName}', so it has no vocabulary to export with it; export classifier.Model with OnnxExporter.Export instead", nameof(model));
        if (classNames is not null && classNames.Count != classifier.ClassCount)
            throw new ArgumentException($"class names must name the model's {classifier.ClassCount} classes, got {classNames.Count}", nameof(classNames));
        var names = classNames?.ToArray() ?? classifier.ClassNames?.ToArray() ?? (classifier.Kind == ClassificationKind.Binary ? new[] { "False", "True" } : null);
        var text = new TextModelInfo(encoder.Tokenizer, encoder.Vocabulary, names, encoder.MaxLength);
        OnnxExporter.Export(classifier.Core.Model, filePath, text);
    }

    /// <summary>The forecaster's network with its per-target z-scoring (training mean and std) inside the graph and the
    /// target names in the metadata, so <c>RnnMl.Onnx</c>'s <c>OnnxForecaster</c> gives the transformer's forecasts and bounds.</summary>
    private static void ExportForecaster(RecurrentForecasterTransformer forecaster, string filePath)
    {
        // Held to the end: a disposed forecaster is refused before the file is touched, and a Dispose waits for the export.
        using var lease = forecaster.Core.Gate.Enter();
        var core = forecaster.Core;
        var info = new ForecasterModelInfo(forecaster.Columns.Targets, core.Mean, core.Std,
            core.Covariates == 0 ? null : forecaster.Columns.Covariates, core.Covariates == 0 ? null : core.CovariateMean, core.Covariates == 0 ? null : core.CovariateStd);
        OnnxExporter.Export(forecaster.Core.Model, filePath, info);
    }

    /// <summary>Loads a model saved with <see cref="RnnModelOperations.SaveRnnModel"/> and exports its text classifier to an ONNX file.</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="modelPath">The .zip saved with <see cref="RnnModelOperations.SaveRnnModel"/>.</param>
    /// <param name="filePath">The .onnx file to write; the folder must exist.</param>
    /// <param name="classNames">As for the other overload.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="InvalidDataException">The saved model is corrupt or not an RnnMl model.</exception>
    public static void ExportRnnModelToOnnx(this ModelOperationsCatalog catalog, string modelPath, string filePath, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        WithLoaded(catalog, modelPath, model => catalog.ExportRnnModelToOnnx(model, filePath, classNames));
    }

    /// <summary>Exports the RnnMl translator in <paramref name="model"/> as two ONNX graphs in a folder:
    /// <c>encoder.onnx</c> (with the source and target tokenizers, vocabularies and the translator's decoding settings in
    /// its metadata) and <c>decoder.onnx</c> (one decoder step). <c>RnnMl.Onnx</c>'s <c>OnnxTranslator.Load(folder)</c>
    /// translates raw text from them without TorchSharp.</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="model">A fitted <see cref="RecurrentTranslatorTransformer"/> or a chain holding exactly one.</param>
    /// <param name="directory">The folder to write; created if missing (its parent must exist). Each file is written atomically.</param>
    /// <exception cref="ArgumentException">The model holds no RnnMl translator or more than one.</exception>
    /// <exception cref="ObjectDisposedException">The translator has been disposed (nothing is written).</exception>
    public static void ExportRnnTranslatorToOnnx(this ModelOperationsCatalog catalog, ITransformer model, string directory)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var translators = Flatten(model).OfType<RecurrentTranslatorTransformer>().ToList();
        if (translators.Count != 1)
            throw new ArgumentException($"the model must hold exactly one RnnMl translator to export, got {translators.Count}", nameof(model));
        var core = translators[0].Core;
        using var lease = core.Gate.Enter();
        var o = core.Model.Options;
        var text = new TranslationModelInfo(core.Source.Tokenizer, core.Source.Vocabulary!, core.TargetTokenizer, core.TargetVocabulary,
            o.BeginId, o.EndId, core.Decoding, core.Source.MaxLength);
        OnnxExporter.Export(core.Model, directory, text);
    }

    /// <summary>Loads a model saved with <see cref="RnnModelOperations.SaveRnnModel"/> and exports its translator as two ONNX graphs in a folder.</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="modelPath">The .zip saved with <see cref="RnnModelOperations.SaveRnnModel"/>.</param>
    /// <param name="directory">The folder to write (<c>encoder.onnx</c>, <c>decoder.onnx</c>).</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="InvalidDataException">The saved model is corrupt or not an RnnMl model.</exception>
    /// <exception cref="ArgumentException">The saved model holds no translator.</exception>
    public static void ExportRnnTranslatorToOnnx(this ModelOperationsCatalog catalog, string modelPath, string directory)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        WithLoaded(catalog, modelPath, model => catalog.ExportRnnTranslatorToOnnx(model, directory));
    }

    private static void WithLoaded(ModelOperationsCatalog catalog, string modelPath, Action<ITransformer> export)
    {
        var model = catalog.LoadRnnModel(modelPath, out _);
        try
        {
            export(model);
        }
        finally
        {
            foreach (var t in Flatten(model).OfType<IDisposable>()) t.Dispose();
        }
    }

    /// <summary>The transformers of a model, chains opened recursively.</summary>
    internal static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        // Every TransformerChain<T> enumerates its parts as ITransformer.
        if (model is IEnumerable<ITransformer> chain)
        {
            foreach (var part in chain)
                foreach (var inner in Flatten(part)) yield return inner;
        }
        else
        {
            yield return model;
        }
    }
}
