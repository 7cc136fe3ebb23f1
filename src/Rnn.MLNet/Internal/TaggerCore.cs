using RnnMl.Text.Export;
using RnnMl.Text.Internal;
using RnnMl.Torch.Text;
using static TorchSharp.torch;

namespace RnnMl.MLNet.Internal;

/// <summary>One sentence as the tagger reads it: word ids and, with a character encoder, each word's character ids, with the casing feature each word's casing id.</summary>
internal sealed record TaggerInput(long[] Words, long[][]? Characters, long[]? Casing = null);

/// <summary>A sentence's tags (0-based tag ids) and each tag's emission probability.</summary>
internal sealed record TaggerOutput(long[] Tags, float[] Scores);

/// <summary>The trained tagger and its input encoding; tags batches of sentences. Safe to call from several threads at once.</summary>
internal sealed class TaggerCore : TaskCore<SequenceTagger>
{
    public TaggerCore(SequenceTagger model, TaggerModelInfo info, bool textInput, Device device)
        : base(model, device, "RecurrentSequenceTaggerTransformer")
    {
        (Info, TextInput) = (info, textInput);
    }

    public TaggerModelInfo Info { get; }

    /// <summary>True when the input column holds text (split by <see cref="TaggerModelInfo.Tokenizer"/>), false for tokens.</summary>
    public bool TextInput { get; }


    /// <summary>Normalises given tokens as the tokenizer normalises text; keeps every token, so tags stay aligned.</summary>
    public string[] Normalize(IEnumerable<string> tokens) => Normalize(tokens, Info.Tokenizer);

    /// <summary>A reader of the current row's tokens, in training and tagging alike: a String column is split by
    /// <paramref name="tokenizer"/>, a <c>Vector&lt;String&gt;</c> column's tokens are normalised (none dropped).</summary>
    public static Func<string[]> TokenReader(DataViewRow row, DataViewSchema.Column column, Tokenizer tokenizer)
    {
        if (column.Type is TextDataViewType)
        {
            var getText = row.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> text = default;
            return () => { getText(ref text); return tokenizer.Tokenize(text.ToString()).ToArray(); };
        }
        var getTokens = row.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
        VBuffer<ReadOnlyMemory<char>> tokens = default;
        return () => { getTokens(ref tokens); return Normalize(tokens.DenseValues().Select(t => t.ToString()), tokenizer); };
    }

    private static string[] Normalize(IEnumerable<string> tokens, Tokenizer tokenizer) => tokens.Select(t => tokenizer.Normalize(t)).ToArray();

    /// <summary>The model's input for a tokenised sentence.</summary>
    public TaggerInput Encode(IReadOnlyList<string> tokens) => new(Info.EncodeWords(tokens), Info.EncodeCharacters(tokens), Info.EncodeCasing(tokens));

    /// <summary>Tags a batch of sentences; an empty sentence gets no tags.</summary>
    public TaggerOutput[] Tag(IReadOnlyList<TaggerInput> sentences)
    {
        using var lease = Gate.Enter();
        var result = new TaggerOutput[sentences.Count];
        var nonEmpty = Enumerable.Range(0, sentences.Count).Where(i => sentences[i].Words.Length > 0).ToArray();
        foreach (int i in Enumerable.Range(0, sentences.Count).Except(nonEmpty)) result[i] = new TaggerOutput([], []);
        if (nonEmpty.Length == 0) return result;

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (tokens, lengths) = TokenBatch.Pad(nonEmpty.Select(i => sentences[i].Words).ToList(), device: Device);
        var characters = Model.Options.HasCharacterEncoder ? CharacterBatch.Pad(nonEmpty.Select(i => sentences[i].Characters!).ToList(), Device) : null;
        var casing = Model.Options.HasCasing ? TokenBatch.Pad(nonEmpty.Select(i => sentences[i].Casing!).ToList(), device: Device).Tokens : null;
        var emissions = Model.forward(tokens, lengths, characters, casing);
        var tags = Model.Decode(emissions, lengths);
        long steps = emissions.shape[1];
        var probabilities = emissions.softmax(2).to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        int k = Model.Options.TagCount;
        for (int b = 0; b < nonEmpty.Length; b++)
        {
            var scores = new float[tags[b].Length];
            for (int t = 0; t < scores.Length; t++) scores[t] = probabilities[(b * steps + t) * k + tags[b][t]];
            result[nonEmpty[b]] = new TaggerOutput(tags[b], scores);
        }
        return result;
    }
}
