using Microsoft.ML.OnnxRuntime;
using RnnMl.Onnx.Internal;
using RnnMl.Text.Export;
using RnnMl.Text.Internal;

namespace RnnMl.Onnx;

/// <summary>
/// A numeric-sequence model exported by RnnMl's <c>OnnxExporter</c> (or <c>ExportRnnModelToOnnx</c> of an ML.NET
/// <c>RecurrentNumericSequence</c> model), run by ONNX Runtime: whole sequences of T steps of F values in, K regression
/// targets or class scores out. Standardisation is inside the graph, so inputs and outputs are in the data's own units;
/// missing values are refused or forward-filled as the model was trained. Needs neither TorchSharp nor libtorch. Safe to
/// use from several threads at once. After <see cref="Dispose"/> every member throws <see cref="ObjectDisposedException"/>;
/// a <see cref="Dispose"/> during a call waits for it to finish.
/// </summary>
/// <remarks>Shapes: N sequences, T_i steps each, F features per step, K outputs.</remarks>
/// <example>
/// <code>
/// using var model = OnnxNumericSequenceModel.Load("sensor.onnx");
/// float[] values = model.Score(new[] { readings })[0];                 // regression: K targets
/// OnnxPrediction p = model.Classify(new[] { readings })[0];            // classification: label and probabilities
/// </code>
/// </example>
public sealed class OnnxNumericSequenceModel : IDisposable
{
    private const string Kind = "an exported RnnMl numeric sequence model";
    private readonly InferenceSession session;
    private readonly UsageGate gate = new(nameof(OnnxNumericSequenceModel));
    private readonly NumericSequenceModelInfo info;
    private readonly string[] inputNames = { NumericSequenceGraphNames.Values, NumericSequenceGraphNames.Lengths };
    private readonly string[] outputNames = { NumericSequenceGraphNames.Scores };

    private OnnxNumericSequenceModel(InferenceSession session, NumericSequenceModelInfo info) => (this.session, this.info) = (session, info);

    /// <summary>Loads an exported numeric-sequence model.</summary>
    /// <param name="filePath">The .onnx file.</param>
    /// <param name="options">ONNX Runtime session options; null for ONNX Runtime's defaults.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="filePath"/>.</exception>
    /// <exception cref="InvalidDataException">ONNX Runtime refuses the file, or it has not the inputs, outputs or metadata of an exported RnnMl numeric sequence model.</exception>
    public static OnnxNumericSequenceModel Load(string filePath, SessionOptions? options = null)
    {
        return OnnxSessions.Load(filePath, options, session =>
        {
            var info = OnnxSessions.ReadMetadata(session, filePath, NumericSequenceModelInfo.FromMetadata);
            OnnxSessions.Require(session.InputMetadata.Keys, new[] { NumericSequenceGraphNames.Values, NumericSequenceGraphNames.Lengths }, "input", filePath, Kind);
            OnnxSessions.Require(session.OutputMetadata.Keys, new[] { NumericSequenceGraphNames.Scores }, "output", filePath, Kind);
            var dims = session.InputMetadata[NumericSequenceGraphNames.Values].Dimensions;
            var outputs = session.OutputMetadata[NumericSequenceGraphNames.Scores].Dimensions;
            if (dims.Length != 3 || dims[2] != info.FeaturesPerStep || outputs.Length != 2 || outputs[1] != info.Outputs)
                throw new InvalidDataException($"'{Path.GetFullPath(filePath)}' is inconsistent: '{NumericSequenceGraphNames.Values}' must be (N, T, {info.FeaturesPerStep}) and '{NumericSequenceGraphNames.Scores}' (N, {info.Outputs}), got [{string.Join(", ", dims)}] and [{string.Join(", ", outputs)}]");
            return new OnnxNumericSequenceModel(session, info);
        });
    }

    /// <summary>F, K, the head, the scaling, the class names and the missing-value policy stored with the model.</summary>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public NumericSequenceModelInfo Info
    {
        get { gate.ThrowIfClosed(); return info; }
    }

    /// <summary>The K outputs of each sequence in one ONNX Runtime call: regression targets in the label's units, or class logits.</summary>
    /// <param name="sequences">N ≥ 1 sequences, each T_i·F values, step-major (step t's features at t·F … t·F + F − 1); T_i may differ.</param>
    /// <returns>K values per sequence, in input order.</returns>
    /// <exception cref="ArgumentException">A sequence is null, not a positive whole number of steps, or holds a NaN or ±∞
    /// (without forward-fill, or at step 0); the message names the sequence, step and feature.</exception>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public IReadOnlyList<float[]> Score(IReadOnlyList<float[]> sequences) => Run(sequences, probabilities: false);

    /// <summary>Classifies sequences (a classification model only).</summary>
    /// <param name="sequences">As for <see cref="Score"/>.</param>
    /// <returns>Per sequence its class (the highest score, first on a tie), name, logits and probabilities.</returns>
    /// <exception cref="InvalidOperationException">The model is a regressor.</exception>
    /// <exception cref="ArgumentException">As for <see cref="Score"/>.</exception>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public IReadOnlyList<OnnxPrediction> Classify(IReadOnlyList<float[]> sequences)
    {
        gate.ThrowIfClosed();
        if (!info.Classification)
            throw new InvalidOperationException("the model is a regressor; use Score for its outputs");
        var scores = Run(sequences, probabilities: true);
        int k = info.Outputs;
        return Enumerable.Range(0, scores.Count / 2).Select(i =>
        {
            var (logits, p) = (scores[i], scores[scores.Count / 2 + i]);
            int best = 0;
            for (int j = 1; j < k; j++) if (logits[j] > logits[best]) best = j;
            return new OnnxPrediction(best, info.ClassNames?[best] ?? best.ToString(System.Globalization.CultureInfo.InvariantCulture), logits, p);
        }).ToList();
    }

    /// <summary>Scores (and, when asked, probabilities after them) of each sequence.</summary>
    private List<float[]> Run(IReadOnlyList<float[]> sequences, bool probabilities)
    {
        using var lease = gate.Enter();
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0) throw new ArgumentException("at least one sequence is needed", nameof(sequences));
        int f = info.FeaturesPerStep, k = info.Outputs, n = sequences.Count;
        var rows = new float[n][];
        for (int i = 0; i < n; i++)
            rows[i] = NumericSteps.Prepare(sequences[i] ?? throw new ArgumentException($"sequence {i} is null", nameof(sequences)), f, info.ForwardFill,
                $"sequence {i}", m => new ArgumentException(m, nameof(sequences)));
        int t = rows.Max(r => r.Length) / f;
        var values = new float[n * t * f];
        var lengths = new long[n];
        for (int i = 0; i < n; i++)
        {
            rows[i].CopyTo(values, i * t * f);
            lengths[i] = rows[i].Length / f;
        }
        using var valuesTensor = OrtValue.CreateTensorValueFromMemory(values, new long[] { n, t, f });
        using var lengthsTensor = OrtValue.CreateTensorValueFromMemory(lengths, new long[] { n });
        using var run = new RunOptions();
        var names = probabilities ? new[] { NumericSequenceGraphNames.Scores, NumericSequenceGraphNames.Probabilities } : outputNames;
        using var outputs = session.Run(run, inputNames, new[] { valuesTensor, lengthsTensor }, names);
        var result = new List<float[]>(names.Length * n);
        foreach (var output in outputs)
        {
            var flat = output.GetTensorDataAsSpan<float>();
            for (int i = 0; i < n; i++) result.Add(flat.Slice(i * k, k).ToArray());
        }
        return result;
    }

    /// <summary>Frees ONNX Runtime's session after the calls in flight have finished; new calls throw
    /// <see cref="ObjectDisposedException"/>. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (gate.Close()) session.Dispose();
    }
}
