using Microsoft.ML.OnnxRuntime;
using RnnMl.Onnx.Internal;
using RnnMl.Text;
using RnnMl.Text.Export;
using RnnMl.Text.Internal;

namespace RnnMl.Onnx;

/// <summary>
/// A text classifier exported by RnnMl's <c>OnnxExporter</c>, run by ONNX Runtime: tokenizes raw text with the
/// exported tokenizer and vocabulary and predicts classes, one text or many at a time. Needs neither TorchSharp nor
/// libtorch. Safe to use from several threads at once. After <see cref="Dispose"/> every member throws
/// <see cref="ObjectDisposedException"/>; a <see cref="Dispose"/> during a prediction waits for it to finish.
/// </summary>
/// <remarks>Shapes: N batch, T time (tokens), C classes.</remarks>
/// <example>
/// <code>
/// using var classifier = OnnxTextClassifier.Load("sentiment.onnx");   // no libtorch needed
/// var prediction = classifier.Predict("a gripping, well-acted film");
/// Console.WriteLine($"{prediction.PredictedLabel} {prediction.Probabilities.Max():P1}");
/// </code>
/// </example>
public sealed class OnnxTextClassifier : IDisposable
{
    private readonly InferenceSession session;
    private readonly UsageGate gate = new(nameof(OnnxTextClassifier));
    private readonly TextModelInfo text;
    private readonly int classCount;
    private readonly string[] inputNames = { ClassifierGraphNames.Tokens, ClassifierGraphNames.Lengths };
    private readonly string[] outputNames = { ClassifierGraphNames.Scores, ClassifierGraphNames.Probabilities };

    private OnnxTextClassifier(InferenceSession session, TextModelInfo text, int classCount)
    {
        this.session = session;
        this.text = text;
        this.classCount = classCount;
    }

    /// <summary>Loads an exported model file.</summary>
    /// <param name="filePath">The .onnx file written with text settings.</param>
    /// <param name="options">ONNX Runtime session options (threads, optimisation level); null for ONNX Runtime's defaults.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="filePath"/>.</exception>
    /// <exception cref="InvalidDataException">ONNX Runtime refuses the file, or it has not the inputs, outputs or text
    /// settings of an exported RnnMl classifier; the message says which.</exception>
    public static OnnxTextClassifier Load(string filePath, SessionOptions? options = null)
    {
        return OnnxSessions.Load(filePath, options, session =>
        {
            var full = Path.GetFullPath(filePath);
            OnnxSessions.Require(session.InputMetadata.Keys, new[] { ClassifierGraphNames.Tokens, ClassifierGraphNames.Lengths }, "input", filePath, "an exported RnnMl classifier");
            if (!session.OutputMetadata.TryGetValue(ClassifierGraphNames.Probabilities, out var probabilities) || !session.OutputMetadata.ContainsKey(ClassifierGraphNames.Scores))
                throw new InvalidDataException($"'{full}' is not an exported RnnMl classifier: it needs outputs '{ClassifierGraphNames.Scores}' and '{ClassifierGraphNames.Probabilities}' (its outputs: {string.Join(", ", session.OutputMetadata.Keys)})");
            var dims = probabilities.Dimensions;
            if (dims.Length != 2 || dims[1] < 2)
                throw new InvalidDataException($"'{full}': output '{ClassifierGraphNames.Probabilities}' must be (N, C) with C ≥ 2, got [{string.Join(", ", dims)}]");
            var text = OnnxSessions.ReadMetadata(session, filePath, TextModelInfo.FromMetadata);
            if (text.ClassNames is { } names && names.Count != dims[1])
                throw new InvalidDataException($"'{full}' is inconsistent: {dims[1]} classes but {names.Count} class names");
            return new OnnxTextClassifier(session, text, dims[1]);
        });
    }

    /// <summary>The tokenizer, vocabulary, maximum length and class names stored with the model.</summary>
    /// <exception cref="ObjectDisposedException">The classifier has been disposed.</exception>
    public TextModelInfo Text
    {
        get { gate.ThrowIfClosed(); return text; }
    }

    /// <summary>C, the number of classes.</summary>
    /// <exception cref="ObjectDisposedException">The classifier has been disposed.</exception>
    public int ClassCount
    {
        get { gate.ThrowIfClosed(); return classCount; }
    }

    /// <summary>Predicts the class of one text.</summary>
    /// <param name="text">Raw text; null or empty text is scored as a single padding step, as in training.</param>
    /// <exception cref="ObjectDisposedException">The classifier has been disposed.</exception>
    public OnnxPrediction Predict(string? text)
    {
        using var lease = gate.Enter();
        return Score(new[] { this.text.Encode(text) })[0];
    }

    /// <summary>Predicts the classes of many texts, in batches of similar length (results in input order).</summary>
    /// <param name="texts">Raw texts.</param>
    /// <param name="batchSize">Texts per ONNX Runtime call; at least 1. Default 64.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1.</exception>
    /// <exception cref="ObjectDisposedException">The classifier has been disposed.</exception>
    public IReadOnlyList<OnnxPrediction> Predict(IReadOnlyList<string?> texts, int batchSize = 64)
    {
        using var lease = gate.Enter();
        ArgumentNullException.ThrowIfNull(texts);
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch size must be at least 1, got {batchSize}");
        var ids = texts.Select(text.Encode).ToArray();
        // Sorting by length keeps padding (wasted steps) small; the results go back to input order.
        var order = Enumerable.Range(0, ids.Length).OrderBy(i => ids[i].Length).ToArray();
        var results = new OnnxPrediction[ids.Length];
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var rows = order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
            var scored = Score(rows.Select(r => ids[r]).ToArray());
            for (int k = 0; k < rows.Length; k++) results[rows[k]] = scored[k];
        }
        return results;
    }

    /// <summary>Scores one batch of token-id sequences (padded here; an empty sequence becomes one padding step).</summary>
    /// <param name="sequences">N sequences of ids in [0, vocabulary size).</param>
    /// <exception cref="ArgumentException">No sequences, or an id outside the vocabulary (the message names sequence, position and id).</exception>
    /// <exception cref="ObjectDisposedException">The classifier has been disposed.</exception>
    public IReadOnlyList<OnnxPrediction> Score(IReadOnlyList<long[]> sequences)
    {
        using var lease = gate.Enter();
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0)
            throw new ArgumentException("a batch needs at least one sequence, got 0", nameof(sequences));
        int n = sequences.Count, vocabulary = text.Vocabulary.Count;
        for (int i = 0; i < n; i++)
        {
            var s = sequences[i] ?? throw new ArgumentNullException(nameof(sequences), $"sequence {i} is null");
            for (int j = 0; j < s.Length; j++)
                if (s[j] < 0 || s[j] >= vocabulary)
                    throw new ArgumentOutOfRangeException(nameof(sequences), s[j], $"token ids must be between 0 and {vocabulary - 1}, got {s[j]} in sequence {i} at position {j}");
        }
        var padded = PaddedBatch.Pad(sequences);

        using var tokenValue = OrtValue.CreateTensorValueFromMemory(padded.Ids, padded.Shape);
        using var lengthValue = OrtValue.CreateTensorValueFromMemory(padded.Lengths, new[] { (long)n });
        using var run = new RunOptions();
        using var outputs = session.Run(run, inputNames, new[] { tokenValue, lengthValue }, outputNames);
        var scores = outputs[0].GetTensorDataAsSpan<float>();
        var probabilities = outputs[1].GetTensorDataAsSpan<float>();
        int c = classCount;
        var result = new OnnxPrediction[n];
        for (int i = 0; i < n; i++)
        {
            var row = scores.Slice(i * c, c).ToArray();
            int best = 0;
            for (int k = 1; k < c; k++) if (row[k] > row[best]) best = k;
            result[i] = new OnnxPrediction(best, text.ClassName(best), row, probabilities.Slice(i * c, c).ToArray());
        }
        return result;
    }

    /// <summary>Frees ONNX Runtime's session, after the predictions in flight on other threads have finished; new calls
    /// throw <see cref="ObjectDisposedException"/>. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (gate.Close()) session.Dispose();
    }
}
