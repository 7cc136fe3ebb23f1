using static TorchSharp.torch;
using Names = RnnMl.Text.Export.Seq2SeqGraphNames;

namespace RnnMl.Export.Onnx;

/// <summary>Writes a <see cref="Seq2SeqModel"/> (in evaluation mode: no dropout) as two ONNX graphs: the encoder with the
/// bridge, and one decoder step with attention.</summary>
/// <remarks>
/// Shapes: N batch, S source steps, E encoder output size, L decoder layers, Q decoder hidden size, V target vocabulary.
/// Encoder: source (N, S) → Transpose → Gather → one recurrent node per layer (sequence_lens) → memory (N, S, E), keys
/// (the attention's source projection, computed once), source_mask (N, S), and h (and c) (L, N, Q) = tanh(W_b [h→; h←]) of
/// the top layer's final states. Decoder step: previous (N) → Gather → [Bahdanau context queried with h[L−1]; feed] →
/// one recurrent node per layer with T = 1 and initial_h/initial_c → s (N, Q) → [Luong context queried with s] →
/// tanh(W_c [context; s]) → Gemm (tied: [MatMul W_pᵀ →] Gemm with the target embedding's initializer) → LogSoftmax; new states, new feed and attention weights out. Exactly the equations of
/// <see cref="Seq2SeqModel.Encode"/> and <see cref="Seq2SeqModel.Step"/>.
/// </remarks>
internal static class Seq2SeqGraph
{
    public static ModelProto BuildEncoder(Seq2SeqModel model, TranslationModelInfo? text)
    {
        var o = model.Options;
        int layers = o.DecoderLayers, q = o.ResolvedDecoderHiddenSize;
        var g = new OnnxGraph("rnnml_seq2seq_encoder");
        var source = g.Input(Names.Source, DataType.Int64, "N", "S");
        var lengths = g.Input(Names.SourceLengths, DataType.Int64, "N");

        var timeMajor = g.Node("Transpose", "source_sn", new[] { source }, OnnxGraph.Attr("perm", new long[] { 1, 0 }));
        var embedded = OnnxLayers.Embedding(g, "source_embedding", model.SourceEmbedding.weight!, timeMajor);
        var sequenceLengths = g.Node("Cast", "sequence_lens", new[] { lengths }, OnnxGraph.Attr("to", (long)DataType.Int32));
        var encoded = OnnxLayers.Recurrent(g, "encoder", model.Encoder, embedded, sequenceLengths);

        if (o.Attention != AttentionKind.None)
        {
            var memory = g.NodeNamed("Transpose", Names.Memory, new[] { encoded.Output }, OnnxGraph.Attr("perm", new long[] { 1, 0, 2 }));
            g.Output(Names.Memory, DataType.Float, "N", "S", (long)o.EncoderOutputSize);
            if (HasKeys(o))
            {
                var keys = OnnxLayers.Linear(g, "attention.key", model.Attention!.Key!, memory);
                g.NodeNamed("Identity", Names.Keys, new[] { keys });
                g.Output(Names.Keys, DataType.Float, "N", "S", (long)q);
            }
            var valid = OnnxLayers.ValidSteps(g, lengths, source, timeAxis: 1);
            g.NodeNamed("Transpose", Names.SourceMask, new[] { valid }, OnnxGraph.Attr("perm", new long[] { 1, 0 }));
            g.Output(Names.SourceMask, DataType.Bool, "N", "S");
        }

        // The top layer's final states, forward then reverse along the features, as Seq2SeqModel.TopLayer.
        string Top(string final, string name) => model.Encoder.Directions == 1
            ? g.Node("Squeeze", name, new[] { final, g.Vector("axis0", 0) })
            : g.Node("Reshape", name, new[]
            {
                g.Node("Transpose", name + "_ndh", new[] { final }, OnnxGraph.Attr("perm", new long[] { 1, 0, 2 })),
                g.Vector("shape_0_m1", 0, -1),
            });
        void Bridge(string bridge, TorchSharp.Modules.Linear linear, string top, string output)
        {
            var projected = g.Node("Tanh", bridge + "_tanh", new[] { OnnxLayers.Gemm(g, bridge, linear, top) });
            var nlq = g.Node("Reshape", bridge + "_nlq", new[] { projected, g.Vector("shape_0_l_q", 0, layers, q) });
            g.NodeNamed("Transpose", output, new[] { nlq }, OnnxGraph.Attr("perm", new long[] { 1, 0, 2 }));
            g.Output(output, DataType.Float, (long)layers, "N", (long)q);
        }
        var topH = Top(encoded.FinalH[^1], "top_h");
        Bridge("bridge_h", model.BridgeH, topH, Names.H);
        // An LSTM decoder behind a GRU or RNN encoder bridges c from h, as the model does.
        if (model.BridgeC is { } bridgeC)
            Bridge("bridge_c", bridgeC, encoded.FinalC is { } c ? Top(c[^1], "top_c") : topH, Names.C);

        var metadata = Metadata(model, "encoder");
        if (text is not null)
            foreach (var (key, value) in text.ToMetadata()) metadata[key] = value;
        return g.ToModel(metadata,
            $"RnnMl seq2seq encoder. Inputs: {Names.Source} (N, S) int64 padded with 0, {Names.SourceLengths} (N) int64 in [1, S]. " +
            $"Outputs: the decoder's initial {Names.H}{(model.BridgeC is not null ? $" and {Names.C}" : "")} (L, N, Q)" +
            (o.Attention == AttentionKind.None ? "." : $", {Names.Memory} (N, S, E){(HasKeys(o) ? $", {Names.Keys} (N, S, Q)" : "")}, {Names.SourceMask} (N, S) bool."));
    }

    public static ModelProto BuildDecoder(Seq2SeqModel model)
    {
        var o = model.Options;
        int layers = o.DecoderLayers, q = o.ResolvedDecoderHiddenSize, e = o.EncoderOutputSize;
        bool lstm = model.BridgeC is not null;
        var g = new OnnxGraph("rnnml_seq2seq_decoder_step");
        var previous = g.Input(Names.Previous, DataType.Int64, "N");
        var h = g.Input(Names.H, DataType.Float, (long)layers, "N", (long)q);
        var c = lstm ? g.Input(Names.C, DataType.Float, (long)layers, "N", (long)q) : null;
        var feed = o.InputFeeding ? g.Input(Names.Feed, DataType.Float, "N", (long)q) : null;
        string? memory = null, keys = null, mask = null;
        if (o.Attention != AttentionKind.None)
        {
            memory = g.Input(Names.Memory, DataType.Float, "N", "S", (long)e);
            keys = HasKeys(o) ? g.Input(Names.Keys, DataType.Float, "N", "S", (long)q) : memory;
            mask = g.Input(Names.SourceMask, DataType.Bool, "N", "S");
        }

        // Scores (N, S) of one query (N, Q) per row; padded steps get −∞, so their weight is exactly 0.
        (string Context, string Weights) Attend(string query)
        {
            string scores;
            if (o.Attention == AttentionKind.Bahdanau)
            {
                var projected = OnnxLayers.Linear(g, "attention.query", model.Attention!.Query!, query);
                var sum = g.Node("Add", "attention_sum", new[] { g.Node("Unsqueeze", "query_n1q", new[] { projected, g.Vector("axis1", 1) }), keys! });
                var score = OnnxLayers.Linear(g, "attention.score", model.Attention!.Score!, g.Node("Tanh", "attention_tanh", new[] { sum }));
                scores = g.Node("Squeeze", "attention_scores", new[] { score, g.Vector("axis2", 2) });
            }
            else
            {
                var keysT = g.Node("Transpose", "keys_nqs", new[] { keys! }, OnnxGraph.Attr("perm", new long[] { 0, 2, 1 }));
                var product = g.Node("MatMul", "attention_product", new[] { g.Node("Unsqueeze", "query_n1q", new[] { query, g.Vector("axis1", 1) }), keysT });
                scores = g.Node("Squeeze", "attention_scores", new[] { product, g.Vector("axis1", 1) });
            }
            var masked = g.Node("Where", "attention_masked", new[] { mask!, scores, g.Scalar("minus_infinity", float.NegativeInfinity) });
            var weights = g.Node("Softmax", "attention_weights", new[] { masked }, OnnxGraph.Attr("axis", 1L));
            var weighted = g.Node("MatMul", "context_n1e", new[] { g.Node("Unsqueeze", "weights_n1s", new[] { weights, g.Vector("axis1", 1) }), memory! });
            return (g.Node("Squeeze", "context", new[] { weighted, g.Vector("axis1", 1) }), weights);
        }

        // One initializer for the target embedding, which a tied output layer reads too.
        var embedding = g.Floats("target_embedding.weight", OnnxLayers.Values(model.TargetEmbedding.weight!), model.TargetEmbedding.weight!.shape);
        var parts = new List<string> { g.Node("Gather", "target_embedding", new[] { embedding, previous }, OnnxGraph.Attr("axis", 0L)) };
        string? context = null, attentionWeights = null;
        if (o.Attention == AttentionKind.Bahdanau)
        {
            var top = g.Node("Gather", "h_top", new[] { h, g.Scalar("top_layer", (long)layers - 1) }, OnnxGraph.Attr("axis", 0L));
            (context, attentionWeights) = Attend(top);
            parts.Add(context);
        }
        if (feed is not null) parts.Add(feed);
        var x = g.Node("Unsqueeze", "decoder_input", new[] { g.Node("Concat", "decoder_input_n", parts.ToArray(), OnnxGraph.Attr("axis", 1L)), g.Vector("axis0", 0) });
        string[] Layers(string state, string name) => Enumerable.Range(0, layers)
            .Select(l => g.Node("Gather", $"{name}_l{l}", new[] { state, g.Vector($"layer_{l}", l) }, OnnxGraph.Attr("axis", 0L))).ToArray();
        var recurrent = OnnxLayers.Recurrent(g, "decoder", model.Decoder, x, null, Layers(h, "initial_h"), c is null ? null : Layers(c, "initial_c"));
        var s = g.Node("Squeeze", "decoder_output", new[] { recurrent.Output, g.Vector("axis0", 0) });

        var attentional = s;
        if (o.Attention != AttentionKind.None)
        {
            if (context is null) (context, attentionWeights) = Attend(s);
            var joined = g.Node("Concat", "context_and_output", new[] { context, s }, OnnxGraph.Attr("axis", 1L));
            attentional = g.Node("Tanh", "attentional", new[] { OnnxLayers.Linear(g, "combine", model.Combine!, joined) });
        }
        string logits;
        if (model.Output is { } output) logits = OnnxLayers.Gemm(g, "output", output, attentional);
        else
        {
            // Tied: emb · (W_p ã) + b_o, the embedding initializer used transposed.
            var projected = model.TieProjection is { } p ? OnnxLayers.Linear(g, "tie_projection", p, attentional) : attentional;
            var bias = g.Floats("output_bias", OnnxLayers.Values(model.OutputBias!), model.OutputBias!.shape);
            logits = g.Node("Gemm", "output", new[] { projected, embedding, bias }, OnnxGraph.Attr("transB", 1L));
        }
        g.NodeNamed("LogSoftmax", Names.LogProbabilities, new[] { logits }, OnnxGraph.Attr("axis", 1L));
        g.Output(Names.LogProbabilities, DataType.Float, "N", (long)o.TargetVocabularySize);
        g.NodeNamed("Concat", Names.NewH, recurrent.FinalH, OnnxGraph.Attr("axis", 0L));
        g.Output(Names.NewH, DataType.Float, (long)layers, "N", (long)q);
        if (c is not null)
        {
            g.NodeNamed("Concat", Names.NewC, recurrent.FinalC!, OnnxGraph.Attr("axis", 0L));
            g.Output(Names.NewC, DataType.Float, (long)layers, "N", (long)q);
        }
        if (feed is not null)
        {
            g.NodeNamed("Identity", Names.NewFeed, new[] { attentional });
            g.Output(Names.NewFeed, DataType.Float, "N", (long)q);
        }
        if (attentionWeights is not null)
        {
            g.NodeNamed("Identity", Names.Attention, new[] { attentionWeights });
            g.Output(Names.Attention, DataType.Float, "N", "S");
        }
        return g.ToModel(Metadata(model, "decoder_step"),
            $"RnnMl seq2seq decoder step. Inputs: {Names.Previous} (N) int64 and the state; outputs: {Names.LogProbabilities} (N, V) and the new state " +
            $"(see Seq2SeqGraphNames).");
    }

    private static bool HasKeys(Seq2SeqOptions o) => o.Attention is AttentionKind.Bahdanau or AttentionKind.LuongGeneral;

    private static Dictionary<string, string> Metadata(Seq2SeqModel model, string graph)
    {
        var o = model.Options;
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["rnnml.graph"] = graph,
            ["rnnml.model"] = $"Seq2SeqModel encoder={o.EncoderCell}x{o.EncoderLayers} bidirectional={o.Bidirectional} decoder={o.DecoderCell}x{o.DecoderLayers} " +
                $"attention={o.Attention} input_feeding={o.InputFeeding} tie_embeddings={o.TieEmbeddings} hidden={o.HiddenSize} decoder_hidden={o.ResolvedDecoderHiddenSize} embedding={o.EmbeddingSize} " +
                $"source_vocabulary={o.SourceVocabularySize} target_vocabulary={o.TargetVocabularySize} begin_id={o.BeginId} end_id={o.EndId}",
        };
    }
}
