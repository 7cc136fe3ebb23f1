using RnnMl.Text.Decoding;
using RnnMl.Text.Internal;
using RnnMl.Torch.Decoding;
using RnnMl.Torch.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>The trained encoder-decoder with its tokenizers and vocabularies; translates batches of sentences. Safe to call from several threads at once.</summary>
internal sealed class TranslatorCore : TaskCore<Seq2SeqModel>
{
    public TranslatorCore(Seq2SeqModel model, TokenEncoder source, Tokenizer targetTokenizer, Vocabulary targetVocabulary, DecodingOptions decoding, Device device)
        : base(model, device, "RecurrentTranslatorTransformer")
    {
        (Source, TargetTokenizer, TargetVocabulary, Decoding) = (source, targetTokenizer, targetVocabulary, decoding);
    }

    public TokenEncoder Source { get; }
    public Tokenizer TargetTokenizer { get; }
    public Vocabulary TargetVocabulary { get; }
    public DecodingOptions Decoding { get; }

    /// <summary>Translates encoded sources, <paramref name="batchSize"/> at a time, longest first so that a batch holds similar lengths. Empty sources give empty text.</summary>
    public string[] Translate(IReadOnlyList<long[]> sources, int batchSize, DecodingOptions? options = null)
    {
        using var lease = Gate.Enter();
        options ??= Decoding;
        var result = new string[sources.Count];
        var order = Enumerable.Range(0, sources.Count).Where(i => sources[i].Length > 0).OrderByDescending(i => sources[i].Length).ToArray();
        foreach (var i in Enumerable.Range(0, sources.Count).Where(i => sources[i].Length == 0)) result[i] = "";
        foreach (var chunk in order.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var (tokens, lengths) = TokenBatch.Pad(chunk.Select(i => sources[i]).ToList(), device: Device);
            var decoded = options.BeamWidth == 1
                ? GreedyDecoder.Decode(Model, tokens, lengths, options)
                : BeamSearchDecoder.Decode(Model, tokens, lengths, options);
            for (int k = 0; k < chunk.Length; k++) result[chunk[k]] = Detokenize(decoded[k].Tokens);
        }
        return result;
    }

    /// <summary>Greedy translation of one sentence with the attention weights of every output step (the end step included).</summary>
    public (string[] SourceTokens, string[] TargetTokens, float[][] Weights) Attend(string source)
    {
        using var lease = Gate.Enter();
        var ids = Source.EncodeText(source);
        if (ids.Length == 0) return (Array.Empty<string>(), Array.Empty<string>(), Array.Empty<float[]>());
        using var scope = NewDisposeScope();
        var (tokens, lengths) = TokenBatch.Pad(new[] { ids }, device: Device);
        var decoded = GreedyDecoder.Decode(Model, tokens, lengths, Decoding, keepAttention: true)[0];
        var sourceTokens = ids.Select(i => Source.Vocabulary!.TokenOf((int)i)).ToArray();
        var targetTokens = decoded.Tokens.Select(i => TargetVocabulary.TokenOf((int)i)).ToArray();
        if (decoded.Attention!.Length > targetTokens.Length) targetTokens = targetTokens.Append(Seq2SeqOptions.EndToken).ToArray();
        return (sourceTokens, targetTokens, decoded.Attention);
    }

    /// <summary>The target tokens of <paramref name="ids"/> joined into text (see <see cref="TextEncoder.Decode"/>).</summary>
    public string Detokenize(IEnumerable<long> ids) => target.Decode(ids);

    private TextEncoder target => field ??= new TextEncoder(TargetTokenizer, TargetVocabulary);
}
