using Google.Protobuf;
using RnnMl.Export.Onnx;
using RnnMl.Text.Export;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;

namespace RnnMl.Export;

/// <summary>
/// Writes trained RnnMl models as ONNX models (opset <see cref="Opset"/>, IR version 8) that ONNX Runtime runs without
/// libtorch or TorchSharp.
/// </summary>
/// <remarks>
/// A <see cref="SequenceClassifier"/> becomes one graph with inputs <c>tokens</c> (N, T) int64 (padded with 0) and
/// <c>lengths</c> (N) int64, N and T dynamic, and outputs <c>scores</c> (N, C) (the logits) and <c>probabilities</c>
/// (N, C) (their softmax); see <see cref="ClassifierGraphNames"/>. Each recurrent layer is one ONNX <c>LSTM</c>,
/// <c>GRU</c> (<c>linear_before_reset</c> = 1) or <c>RNN</c> node with <c>sequence_lens</c>, so variable lengths are
/// handled exactly as by the TorchSharp model; pooling masks padded steps as the model does. The graph is the model in
/// evaluation mode (dropout off). With a <see cref="TextModelInfo"/>, the tokenizer settings, vocabulary and class names
/// are stored in the model's <c>metadata_props</c>, so that <c>RnnMl.Onnx</c> can score raw text from the one file.
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set the exported graphs use.</summary>
    public const int Opset = 17;

    /// <summary>Writes <paramref name="model"/> as an ONNX model to <paramref name="destination"/>.</summary>
    /// <param name="model">A classifier with built-in cells (Lstm, Gru, Rnn).</param>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="text">Tokenizer, vocabulary and class names to store with the graph; null for the bare graph.</param>
    /// <exception cref="ArgumentException">The text settings do not fit the model (vocabulary size or class count differ),
    /// the encoder has custom cells, or the stream is not writable.</exception>
    public static void Export(SequenceClassifier model, Stream destination, TextModelInfo? text = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
            throw new ArgumentException("the destination stream must be writable, got a read-only stream", nameof(destination));
        var proto = Build(model, text);
        proto.WriteTo(destination);
    }

    /// <summary>Writes <paramref name="model"/> as an ONNX model file, atomically: written beside the target and moved
    /// over it at the end, so a failed export leaves an existing file intact.</summary>
    /// <param name="model">A classifier with built-in cells (Lstm, Gru, Rnn).</param>
    /// <param name="filePath">Where to write (conventionally <c>.onnx</c>); the folder must exist.</param>
    /// <param name="text">Tokenizer, vocabulary and class names to store with the graph; null for the bare graph.</param>
    /// <exception cref="ArgumentException">As for the stream overload, or an empty path.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static void Export(SequenceClassifier model, string filePath, TextModelInfo? text = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        var proto = Build(model, text);
        var full = Path.GetFullPath(filePath);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"cannot export the model to '{full}': the folder '{directory}' does not exist");
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                proto.WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static Onnx.Proto.ModelProto Build(SequenceClassifier model, TextModelInfo? text)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = model.Options;
        if (model.Encoder is not (Lstm or Gru or Rnn))
            throw new ArgumentException($"only encoders of built-in cells (Lstm, Gru, Rnn) can be exported, got {model.Encoder.GetType().Name}", nameof(model));
        if (text is not null)
        {
            if (text.Vocabulary.Count != o.VocabularySize)
                throw new ArgumentException($"the vocabulary must have the model's {o.VocabularySize} token ids, got {text.Vocabulary.Count}", nameof(text));
            if (text.ClassNames is { } names && names.Count != o.ClassCount)
                throw new ArgumentException($"class names must name the model's {o.ClassCount} classes, got {names.Count}", nameof(text));
        }
        return ClassifierGraph.Build(model, text);
    }
}
