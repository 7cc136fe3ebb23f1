using Google.Protobuf;
using RnnMl.Export.Onnx;
using RnnMl.Text.Internal;
using RnnMl.Torch.Layers;

namespace RnnMl.Export;

/// <summary>
/// Writes trained RnnMl models as ONNX models (opset <see cref="Opset"/>, IR version 8) that ONNX Runtime runs without
/// libtorch or TorchSharp.
/// </summary>
/// <remarks>
/// A <see cref="SequenceClassifier"/> becomes one graph with inputs <c>tokens</c> (N, T) int64 (padded with 0) and
/// <c>lengths</c> (N) int64, N and T dynamic, and outputs <c>scores</c> (N, C) (the logits) and <c>probabilities</c>
/// (N, C) (their softmax); see <see cref="ClassifierGraphNames"/>. A <see cref="SequenceClassifierEnsemble"/> becomes one
/// graph with the same inputs and outputs, its members side by side and their probabilities averaged. Each recurrent layer is one ONNX <c>LSTM</c>,
/// <c>GRU</c> (<c>linear_before_reset</c> = 1) or <c>RNN</c> node with <c>sequence_lens</c>, so variable lengths are
/// handled exactly as by the TorchSharp model; pooling masks padded steps as the model does. The graph is the model in
/// evaluation mode (dropout off). With a <see cref="TextModelInfo"/>, the tokenizer settings, vocabulary and class names
/// are stored in the model's <c>metadata_props</c>, so that <c>RnnMl.Onnx</c> can score raw text from the one file.
/// A <see cref="Seq2SeqModel"/> becomes two graphs, the encoder and one decoder step (see <see cref="Seq2SeqGraphNames"/>).
/// </remarks>
/// <example>
/// <code>
/// OnnxExporter.Export(classifier, "sentiment.onnx", new TextModelInfo(tokenizer, vocabulary, classNames));
/// OnnxExporter.Export(translator, "translator-onnx", translationInfo);   // encoder.onnx + decoder.onnx
/// OnnxExporter.Export(tagger, "tagger.onnx", taggerInfo);                  // emissions graph; CRF scores in metadata
/// </code>
/// </example>
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
        => WriteTo(destination, () => Build(model, text));

    /// <summary>Writes <paramref name="model"/> as an ONNX model file, atomically: written beside the target and moved
    /// over it at the end, so a failed export leaves an existing file intact.</summary>
    /// <param name="model">A classifier with built-in cells (Lstm, Gru, Rnn).</param>
    /// <param name="filePath">Where to write (conventionally <c>.onnx</c>); the folder must exist.</param>
    /// <param name="text">Tokenizer, vocabulary and class names to store with the graph; null for the bare graph.</param>
    /// <exception cref="ArgumentException">As for the stream overload, or an empty path.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static void Export(SequenceClassifier model, string filePath, TextModelInfo? text = null)
        => WriteFile(filePath, () => Build(model, text));

    /// <summary>Writes an ensemble as one ONNX model to <paramref name="destination"/>: each member's graph, and
    /// <c>scores</c> = logsumexp over members of their log-softmax minus log K, so <c>probabilities</c> are the members'
    /// mean probabilities, as <see cref="SequenceClassifierEnsemble.forward"/> computes (one member: the classifier's graph).</summary>
    /// <param name="ensemble">Members with built-in cells (Lstm, Gru, Rnn).</param>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="text">Tokenizer, vocabulary and class names to store with the graph; null for the bare graph.</param>
    /// <exception cref="ArgumentException">As for one classifier, naming the member.</exception>
    public static void Export(SequenceClassifierEnsemble ensemble, Stream destination, TextModelInfo? text = null)
        => WriteTo(destination, () => Build(ensemble, text));

    /// <summary>Writes an ensemble as one ONNX model file, atomically (see the stream overload for the graph).</summary>
    /// <param name="ensemble">Members with built-in cells (Lstm, Gru, Rnn).</param>
    /// <param name="filePath">Where to write (conventionally <c>.onnx</c>); the folder must exist.</param>
    /// <param name="text">Tokenizer, vocabulary and class names to store with the graph; null for the bare graph.</param>
    /// <exception cref="ArgumentException">As for the stream overload, or an empty path.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static void Export(SequenceClassifierEnsemble ensemble, string filePath, TextModelInfo? text = null)
        => WriteFile(filePath, () => Build(ensemble, text));

    /// <summary>Writes a translator as two ONNX models: the encoder (with the bridge to the decoder's initial state) and one
    /// decoder step with attention; the decoding loop (greedy or beam search) runs outside, e.g. in <c>RnnMl.Onnx</c>'s
    /// <c>OnnxTranslator</c>.</summary>
    /// <param name="model">A translator with built-in cells; the graphs are the model in evaluation mode (no dropout).</param>
    /// <param name="encoder">A writable stream for the encoder graph; left open.</param>
    /// <param name="decoder">A writable stream for the decoder-step graph; left open.</param>
    /// <param name="text">Tokenizers, vocabularies, begin/end ids and decoding defaults, stored in the encoder's metadata; null for the bare graphs.</param>
    /// <remarks>Inputs and outputs are named by <see cref="Seq2SeqGraphNames"/>.</remarks>
    /// <exception cref="ArgumentException">The text settings do not fit the model (vocabulary sizes, begin or end id), or a stream is not writable.</exception>
    public static void Export(Seq2SeqModel model, Stream encoder, Stream decoder, TranslationModelInfo? text = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(decoder);
        if (!encoder.CanWrite)
            throw new ArgumentException("the encoder stream must be writable, got a read-only stream", nameof(encoder));
        if (!decoder.CanWrite)
            throw new ArgumentException("the decoder stream must be writable, got a read-only stream", nameof(decoder));
        var (encoderProto, decoderProto) = Build(model, text);
        encoderProto.WriteTo(encoder);
        decoderProto.WriteTo(decoder);
    }

    /// <summary>Writes a translator into a folder as <c>encoder.onnx</c> and <c>decoder.onnx</c>
    /// (<see cref="Seq2SeqGraphNames.EncoderFile"/>, <see cref="Seq2SeqGraphNames.DecoderFile"/>); <c>RnnMl.Onnx</c>'s
    /// <c>OnnxTranslator.Load(folder)</c> reads them. Each file is written atomically.</summary>
    /// <param name="model">A translator with built-in cells.</param>
    /// <param name="directory">The folder; created if missing (its parent must exist).</param>
    /// <param name="text">As for the stream overload.</param>
    /// <exception cref="ArgumentException">As for the stream overload, or an empty path.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder's parent does not exist.</exception>
    public static void Export(Seq2SeqModel model, string directory, TranslationModelInfo? text = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var (encoderProto, decoderProto) = Build(model, text);
        var full = Path.GetFullPath(directory);
        var parent = Path.GetDirectoryName(full.TrimEnd(Path.DirectorySeparatorChar));
        if (parent is not null && !Directory.Exists(parent))
            throw new DirectoryNotFoundException($"cannot export the translator to '{full}': the folder '{parent}' does not exist");
        Directory.CreateDirectory(full);
        WriteAtomically(encoderProto, Path.Combine(full, Seq2SeqGraphNames.EncoderFile));
        WriteAtomically(decoderProto, Path.Combine(full, Seq2SeqGraphNames.DecoderFile));
    }

    private static (Onnx.Proto.ModelProto Encoder, Onnx.Proto.ModelProto Decoder) Build(Seq2SeqModel model, TranslationModelInfo? text)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = model.Options;
        if (model.Encoder is not (Lstm or Gru or Rnn) || model.Decoder is not (Lstm or Gru or Rnn))
            throw new ArgumentException($"only built-in cells (Lstm, Gru, Rnn) can be exported, got encoder {model.Encoder.GetType().Name} and decoder {model.Decoder.GetType().Name}", nameof(model));
        if (text is not null)
        {
            RequireCounts((o.SourceVocabularySize, text.SourceVocabulary.Count, "the source vocabulary", "token ids"),
                (o.TargetVocabularySize, text.TargetVocabulary.Count, "the target vocabulary", "token ids"));
            if (text.BeginId != o.BeginId || text.EndId != o.EndId)
                throw new ArgumentException($"begin and end ids must be the model's {o.BeginId} and {o.EndId}, got {text.BeginId} and {text.EndId}", nameof(text));
        }
        return (Seq2SeqGraph.BuildEncoder(model, text), Seq2SeqGraph.BuildDecoder(model));
    }

    /// <summary>Checks the stream, builds the graph (which checks the model and text settings), writes it.</summary>
    private static void WriteTo(Stream destination, Func<Onnx.Proto.ModelProto> build)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
            throw new ArgumentException("the destination stream must be writable, got a read-only stream", nameof(destination));
        build().WriteTo(destination);
    }

    /// <summary>Builds the graph, checks the folder, writes the file atomically.</summary>
    private static void WriteFile(string filePath, Func<Onnx.Proto.ModelProto> build)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        var proto = build();
        var full = Path.GetFullPath(filePath);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"cannot export the model to '{full}': the folder '{directory}' does not exist");
        WriteAtomically(proto, full);
    }

    /// <summary>Refuses a recurrent layer that is not one of the built-in cells, whose weights the graphs know how to read.</summary>
    private static void RequireBuiltInCells(object layer, string what)
    {
        if (layer is not (Lstm or Gru or Rnn))
            throw new ArgumentException($"only {what}s of built-in cells (Lstm, Gru, Rnn) can be exported, got {layer.GetType().Name}", "model");
    }

    /// <summary>Refuses text settings whose count of some unit differs from the model's, naming the first.</summary>
    private static void RequireCounts(params (long Expected, long Actual, string Subject, string Unit)[] counts)
    {
        foreach (var (expected, actual, subject, unit) in counts)
            if (expected != actual)
                throw new ArgumentException($"{subject} must have the model's {expected} {unit}, got {actual}", "text");
    }

    private static void WriteAtomically(Onnx.Proto.ModelProto proto, string full)
    {
        TempFiles.RemoveStale(full);
        var temp = TempFiles.Beside(full);
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
        return Build([model], text);
    }

    private static Onnx.Proto.ModelProto Build(SequenceClassifierEnsemble ensemble, TextModelInfo? text)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        return Build(ensemble.Members, text);
    }

    private static Onnx.Proto.ModelProto Build(IReadOnlyList<SequenceClassifier> members, TextModelInfo? text)
    {
        for (int k = 0; k < members.Count; k++)
            RequireBuiltInCells(members[k].Encoder, members.Count == 1 ? "encoder" : $"member {k}'s encoder");
        var model = members[0];
        if (text is not null)
            RequireCounts((model.Options.VocabularySize, text.Vocabulary.Count, "the vocabulary", "token ids"),
                (model.Options.ClassCount, text.ClassNames?.Count ?? model.Options.ClassCount, "class names", "classes"));
        return ClassifierGraph.Build(members, text);
    }

    /// <summary>Writes a sequence tagger as one ONNX graph of per-token emission scores (inputs and output named by
    /// <see cref="TaggerGraphNames"/>; see <c>TaggerGraph</c>); the CRF's scores (constraints applied), the tag names
    /// and the vocabularies go to the metadata, and RnnMl.Onnx's <c>OnnxSequenceTagger</c> decodes with Viterbi.</summary>
    /// <param name="model">A tagger with built-in cells; the graph is the model in evaluation mode (no dropout).</param>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="text">Tokenizer, vocabularies and tag names to store with the graph (its CRF scores are taken from the model); null for the bare graph.</param>
    /// <exception cref="ArgumentException">The text settings do not fit the model, the encoder has custom cells, or the stream is not writable.</exception>
    public static void Export(SequenceTagger model, Stream destination, TaggerModelInfo? text = null)
        => WriteTo(destination, () => BuildTagger(model, text));

    /// <summary>Writes a sequence tagger as an ONNX model file, atomically (see the stream overload).</summary>
    /// <param name="model">A tagger with built-in cells.</param>
    /// <param name="filePath">Where to write (conventionally <c>.onnx</c>); the folder must exist.</param>
    /// <param name="text">As for the stream overload.</param>
    /// <exception cref="ArgumentException">As for the stream overload, or an empty path.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static void Export(SequenceTagger model, string filePath, TaggerModelInfo? text = null)
        => WriteFile(filePath, () => BuildTagger(model, text));

    private static Onnx.Proto.ModelProto BuildTagger(SequenceTagger model, TaggerModelInfo? text)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = model.Options;
        RequireBuiltInCells(model.Encoder, "encoder");
        if (text is not null)
            RequireCounts((o.VocabularySize, text.Vocabulary.Count, "the vocabulary", "token ids"), (o.TagCount, text.TagNames.Count, "tag names", "tags"),
                (o.CharacterVocabularySize, text.Characters?.Count ?? 0, "the character vocabulary", "character ids (0: none)"));
        return TaggerGraph.Build(model, text?.WithCasing(o.HasCasing));
    }

    /// <summary>Writes a forecaster as one ONNX graph: input <see cref="ForecasterGraphNames.Window"/> (N, L, C) float32,
    /// outputs <see cref="ForecasterGraphNames.Forecast"/> (N, H, C) and, with a quantile head,
    /// <see cref="ForecasterGraphNames.Quantiles"/> (N, H, C, Q); the per-window normalisation (and, with
    /// <paramref name="info"/>'s means and stds, the per-channel z-scoring) is inside the graph, so input and outputs are
    /// in the series' units. L, H and the quantile levels go to the metadata (RnnMl.Onnx's <c>OnnxForecaster</c> reads them).
    /// A model with K known covariates has a second input <see cref="ForecasterGraphNames.Covariates"/> (N, L + H, K); a
    /// joint-mode model fixes C. The recursive output mode is not exported.</summary>
    /// <param name="model">The forecaster; the graph is the model in evaluation mode (no dropout).</param>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="info">Channel names and scaling; null for none (then the graph takes any C).</param>
    /// <exception cref="ArgumentException">The stream is not writable, or the info's channel or covariate counts differ from the model's.</exception>
    /// <exception cref="NotSupportedException">The model's output mode is recursive.</exception>
    public static void Export(Torch.Forecasting.SegmentRecurrentForecaster model, Stream destination, ForecasterModelInfo? info = null)
        => WriteTo(destination, () => Build(model, info));

    /// <summary>Writes a forecaster as an ONNX model file, atomically (see the stream overload for the graph).</summary>
    /// <param name="model">The forecaster.</param>
    /// <param name="filePath">Where to write (conventionally <c>.onnx</c>); the folder must exist.</param>
    /// <param name="info">Channel names and scaling; null for none.</param>
    /// <exception cref="ArgumentException">An empty path.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static void Export(Torch.Forecasting.SegmentRecurrentForecaster model, string filePath, ForecasterModelInfo? info = null)
        => WriteFile(filePath, () => Build(model, info));

    private static Onnx.Proto.ModelProto Build(Torch.Forecasting.SegmentRecurrentForecaster model, ForecasterModelInfo? info)
    {
        ArgumentNullException.ThrowIfNull(model);
        return ForecasterGraph.Build(model, (info ?? new ForecasterModelInfo()).WithModel(model.Lookback, model.Horizon, model.Quantiles,
            model.Covariates, model.ChannelMode == Torch.Forecasting.ForecasterChannelMode.Joint, model.Channels));
    }

    /// <summary>Writes a numeric-sequence model as one ONNX graph: inputs <see cref="NumericSequenceGraphNames.Values"/>
    /// (N, T, F) float32 and <see cref="NumericSequenceGraphNames.Lengths"/> (N) int64, outputs
    /// <see cref="NumericSequenceGraphNames.Scores"/> (N, K) and, for classification,
    /// <see cref="NumericSequenceGraphNames.Probabilities"/> (N, K); with <paramref name="info"/>'s feature means and stds
    /// (and a regression label's scaling) the standardisation is inside the graph, so input and outputs are in the data's units.</summary>
    /// <param name="model">A model with built-in cells; the graph is the model in evaluation mode (no dropout).</param>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="info">Scaling, class names and missing-value policy; null for none.</param>
    /// <exception cref="ArgumentException">The info does not fit the model, the encoder has custom cells, or the stream is not writable.</exception>
    public static void Export(NumericSequenceModel model, Stream destination, NumericSequenceModelInfo? info = null)
        => WriteTo(destination, () => Build(model, info));

    /// <summary>Writes a numeric-sequence model as an ONNX model file, atomically (see the stream overload for the graph).</summary>
    /// <param name="model">A model with built-in cells.</param>
    /// <param name="filePath">Where to write (conventionally <c>.onnx</c>); the folder must exist.</param>
    /// <param name="info">As for the stream overload.</param>
    /// <exception cref="ArgumentException">As for the stream overload, or an empty path.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static void Export(NumericSequenceModel model, string filePath, NumericSequenceModelInfo? info = null)
        => WriteFile(filePath, () => Build(model, info));

    private static Onnx.Proto.ModelProto Build(NumericSequenceModel model, NumericSequenceModelInfo? info)
    {
        ArgumentNullException.ThrowIfNull(model);
        RequireBuiltInCells(model.Encoder, "encoder");
        var o = model.Options;
        NumericSequenceModelInfo full;
        try { full = (info ?? new NumericSequenceModelInfo()).WithModel(o.FeaturesPerStep, o.Outputs, o.Head == NumericSequenceHead.Classification); }
        catch (ArgumentException e) { throw new ArgumentException($"the model info does not fit the model: {e.Message}", nameof(info), e); }
        return NumericSequenceGraph.Build(model, full);
    }
}
