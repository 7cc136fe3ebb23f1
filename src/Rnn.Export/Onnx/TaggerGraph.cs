using static TorchSharp.torch;

namespace RnnMl.Export.Onnx;

/// <summary>Writes a <see cref="SequenceTagger"/> (in evaluation mode: no dropout) as one ONNX graph of emission scores.</summary>
/// <remarks>
/// tokens (N, T) → Transpose (T, N) → Gather (T, N, E); with characters, the batch's distinct words (W, C) →
/// <see cref="CharacterEncoderGraph"/> (W, F), once per word → Gather by word_index (T, N, F), concatenated after the
/// word embedding; with the casing feature, casing (N, T) → Transpose → Gather (T, N, E_case), concatenated last;
/// → one recurrent node per layer with sequence_lens = lengths → (T, N, D·H) → MatMul + Add →
/// (T, N, K) → Transpose → emissions (N, T, K). The CRF is not in the graph: its scores go to the metadata and Viterbi
/// runs outside (RnnMl.Onnx's OnnxSequenceTagger).
/// </remarks>
internal static class TaggerGraph
{
    public static ModelProto Build(SequenceTagger model, TaggerModelInfo? text)
    {
        var o = model.Options;
        var p = model.named_parameters().ToDictionary(x => x.name, x => (Tensor)x.parameter);
        var g = new OnnxGraph("rnnml_sequence_tagger");
        var tokens = g.Input(TaggerGraphNames.Tokens, DataType.Int64, "N", "T");
        var lengths = g.Input(TaggerGraphNames.Lengths, DataType.Int64, "N");

        var timeMajor = g.Node("Transpose", "tokens_tn", new[] { tokens }, OnnxGraph.Attr("perm", new long[] { 1, 0 }));
        var x = OnnxLayers.Embedding(g, "embedding", p["embedding.weight"], timeMajor);
        if (model.Characters is { } chars)
        {
            var words = g.Input(TaggerGraphNames.Characters, DataType.Int64, "W", "C");
            var wordIndex = g.Input(TaggerGraphNames.WordIndex, DataType.Int64, "N", "T");
            var perWord = CharacterEncoderGraph.Build(g, chars, p, words);                       // (W, F)
            var indexTn = g.Node("Transpose", "word_index_tn", new[] { wordIndex }, OnnxGraph.Attr("perm", new long[] { 1, 0 }));
            var features = g.Node("Gather", "characters_tokens", new[] { perWord, indexTn }, OnnxGraph.Attr("axis", 0L)); // (T, N, F)
            x = g.Node("Concat", "token_features", new[] { x, features }, OnnxGraph.Attr("axis", 2L));
        }
        if (o.HasCasing)
        {
            var casing = g.Input(TaggerGraphNames.Casing, DataType.Int64, "N", "T");
            var casingTn = g.Node("Transpose", "casing_tn", new[] { casing }, OnnxGraph.Attr("perm", new long[] { 1, 0 }));
            var casingFeatures = OnnxLayers.Embedding(g, "casing", p["casing.weight"], casingTn);                 // (T, N, E_case)
            x = g.Node("Concat", "token_casing_features", new[] { x, casingFeatures }, OnnxGraph.Attr("axis", 2L));
        }
        var sequenceLengths = g.Node("Cast", "sequence_lens", new[] { lengths }, OnnxGraph.Attr("to", (long)DataType.Int32));
        var encodedWords = OnnxLayers.Recurrent(g, "encoder", model.Encoder, x, sequenceLengths);
        var scores = OnnxLayers.Linear(g, "output", p["output.weight"], p["output.bias"], encodedWords.Output);
        g.NodeNamed("Transpose", TaggerGraphNames.Emissions, new[] { scores }, OnnxGraph.Attr("perm", new long[] { 1, 0, 2 }));
        g.Output(TaggerGraphNames.Emissions, DataType.Float, "N", "T", (long)o.TagCount);

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["rnnml.model"] = $"SequenceTagger cell={o.Cell} layers={o.NumLayers} bidirectional={o.Bidirectional} hidden={o.HiddenSize} embedding={o.EmbeddingSize} vocabulary={o.VocabularySize} tags={o.TagCount} crf={o.UseCrf} characters={o.CharacterVocabularySize} character_encoder={(o.HasCharacterEncoder ? o.CharacterEncoder : CharacterEncoderKind.None)} casing={o.CasingEmbeddingSize}",
        };
        if (text is not null)
            foreach (var (key, value) in text.WithCrf(CrfScores(model)).ToMetadata()) metadata[key] = value;
        return g.ToModel(metadata,
            $"RnnMl sequence tagger. Inputs: {TaggerGraphNames.Tokens} (N, T) int64 padded with 0, {TaggerGraphNames.Lengths} (N) int64 in [1, T]" +
            (model.Characters is null ? "" : $", {TaggerGraphNames.Characters} (W, C) int64 the batch's distinct words padded with 0, {TaggerGraphNames.WordIndex} (N, T) int64 each token's row in it") +
            (o.HasCasing ? $", {TaggerGraphNames.Casing} (N, T) int64 each token's casing class (RnnMl.Text.Tagging.TokenCasing)" : "") +
            $". Output: {TaggerGraphNames.Emissions} (N, T, K). With a CRF, Viterbi over the emissions and the rnnml.crf.* scores gives the tags; without, each step's argmax.");
    }

    /// <summary>The CRF's start, end and transition scores with its constraints applied, as <c>LinearChainCrf.Decode</c> uses them; null without a CRF.</summary>
    public static TaggerCrfScores? CrfScores(SequenceTagger model)
    {
        if (model.Crf is not { } crf) return null;
        double[] Doubles(Tensor t) => OnnxLayers.Values(t).Select(v => (double)v).ToArray();
        var (start, end, transitions) = (Doubles(crf.StartTransitions), Doubles(crf.EndTransitions), Doubles(crf.Transitions));
        crf.Constraints?.Apply(start, end, transitions);
        return new TaggerCrfScores(start, end, transitions);
    }
}
