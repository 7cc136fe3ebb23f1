using Microsoft.ML.OnnxRuntime;

namespace RnnMl.Onnx.Internal;

/// <summary>Opening exported graphs with ONNX Runtime and checking they are what an RnnMl runtime class expects.</summary>
internal static class OnnxSessions
{
    /// <summary>Opens the graph at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No file there.</exception>
    /// <exception cref="InvalidDataException">ONNX Runtime refuses the file; the message names it.</exception>
    public static InferenceSession Open(string path, SessionOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"no ONNX model at '{full}'", full);
        try
        {
            return options is null ? new InferenceSession(full) : new InferenceSession(full, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"'{full}': ONNX Runtime cannot load the model: {e.Message}", e);
        }
    }

    /// <summary>Opens the graph at <paramref name="path"/> and builds the runtime object on it; the session is disposed
    /// when <paramref name="build"/> throws (the graph is not what the caller expects).</summary>
    /// <exception cref="FileNotFoundException">No file there.</exception>
    /// <exception cref="InvalidDataException">ONNX Runtime refuses the file, or <paramref name="build"/> refuses the graph.</exception>
    public static T Load<T>(string path, SessionOptions? options, Func<InferenceSession, T> build)
    {
        var session = Open(path, options);
        try
        {
            return build(session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Throws unless every name in <paramref name="needed"/> is <paramref name="present"/>.</summary>
    /// <param name="present">The graph's input or output names.</param>
    /// <param name="needed">The names the caller reads or feeds.</param>
    /// <param name="what">"encoder input", "output" and the like, for the message.</param>
    /// <param name="path">The graph's file, for the message.</param>
    /// <param name="kind">What the graph should be, e.g. "an exported RnnMl translator graph".</param>
    /// <exception cref="InvalidDataException">A name is missing; the message names it and lists those present.</exception>
    public static void Require(IEnumerable<string> present, IEnumerable<string> needed, string what, string path, string kind)
    {
        var set = present.ToHashSet(StringComparer.Ordinal);
        foreach (var name in needed)
            if (!set.Contains(name))
                throw new InvalidDataException($"'{Path.GetFullPath(path)}' is not {kind}: it has no {what} '{name}' (it has: {string.Join(", ", set)})");
    }

    /// <summary>Reads text settings from a graph's metadata, naming the file when they are invalid.</summary>
    public static T ReadMetadata<T>(InferenceSession session, string path, Func<IReadOnlyDictionary<string, string>, T> read)
    {
        try { return read(session.ModelMetadata.CustomMetadataMap); }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{Path.GetFullPath(path)}': {e.Message}", e); }
    }
}
