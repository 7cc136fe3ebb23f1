namespace RnnMl.MLNet;

/// <summary>Saving and loading ML.NET models that contain RnnMl transformers, as one .zip file.</summary>
/// <remarks>
/// ML.NET (5 and 6) keeps the machinery that lets a library's transformers save and load themselves internal, so RnnMl models
/// go through these two calls: the file is an ordinary ML.NET model zip (every ML.NET transform before and after the
/// RnnMl transformer is saved by ML.NET itself) plus the TorchSharp weights, vocabulary and settings under
/// <c>RnnMl/</c>, each with a SHA-256 checksum. Plain <c>mlContext.Model.Save</c> on such a model throws, and plain
/// <c>mlContext.Model.Load</c> on such a file throws; both messages name these methods.
/// </remarks>
/// <example>
/// <code>
/// ml.Model.SaveRnnModel(model, trainData.Schema, "model.zip");            // not ml.Model.Save: see SaveRnnModel
/// var loaded = ml.Model.LoadRnnModel("model.zip", out var inputSchema);
/// </code>
/// </example>
public static class RnnModelOperations
{
    /// <summary>Saves a model (a transformer chain that may hold RnnMl transformers anywhere) to one .zip file, atomically:
    /// the file is written beside the target and moved over it at the end, so an interrupted save leaves the previous file intact.</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="model">The fitted model.</param>
    /// <param name="inputSchema">The schema of the data the model takes (e.g. <c>data.Schema</c>); null if unknown.</param>
    /// <param name="filePath">Where to write; the folder must exist. An existing file is replaced.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ObjectDisposedException">An RnnMl transformer of the model has been disposed; no file is touched.</exception>
    public static void SaveRnnModel(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        ModelArchive.Save(catalog, model, inputSchema, filePath);
    }

    /// <summary>Loads a model saved by <see cref="SaveRnnModel"/>; scores are identical to the saved model's.</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="filePath">The .zip file.</param>
    /// <param name="inputSchema">The input schema saved with the model.</param>
    /// <returns>The model, with every RnnMl transformer restored in place.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="filePath"/>.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt, or not an RnnMl model; the message says which.</exception>
    public static ITransformer LoadRnnModel(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        return ModelArchive.Load(catalog, filePath, out inputSchema);
    }
}
