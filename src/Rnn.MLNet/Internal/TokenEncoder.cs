using RnnMl.Torch.Text;

namespace RnnMl.MLNet.Internal;

/// <summary>Turns the value of the input column into token ids: tokenizer and vocabulary for text, key value + 1 for keys.</summary>
/// <remarks>Ids: 0 padding, 1 unknown; for keys, key k (1..K) is id k + 1 and the missing key 0 is unknown.</remarks>
/// <param name="Kind">What the input column holds.</param>
/// <param name="Tokenizer">Tokenises text and normalises text tokens.</param>
/// <param name="Vocabulary">Token ids of text tokens; null for keys.</param>
/// <param name="KeyCount">K, for keys.</param>
/// <param name="MaxLength">Sequences are cut to this many tokens; null for no limit.</param>
internal sealed record TokenEncoder(InputColumnKind Kind, Tokenizer Tokenizer, Vocabulary? Vocabulary, int KeyCount, int? MaxLength)
{
    public int VocabularySize => Kind == InputColumnKind.Keys ? KeyCount + 2 : Vocabulary!.Count;

    /// <summary>Classifies the input column's type, or throws a schema mismatch naming expected and actual types.</summary>
    public static InputColumnKind Classify(DataViewType type, string columnName, out int keyCount)
    {
        keyCount = 0;
        if (type is TextDataViewType) return InputColumnKind.Text;
        if (type is VectorDataViewType vector)
        {
            if (vector.ItemType is TextDataViewType) return InputColumnKind.Tokens;
            if (vector.ItemType is KeyDataViewType key && key.RawType == typeof(uint))
            {
                if (key.Count == 0 || key.Count > int.MaxValue - 2)
                    throw new ArgumentOutOfRangeException("inputSchema", $"Schema mismatch for input column '{columnName}': expected a key type with a known count of at most {int.MaxValue - 2}, got {type}");
                keyCount = (int)key.Count;
                return InputColumnKind.Keys;
            }
        }
        throw new ArgumentOutOfRangeException("inputSchema", $"Schema mismatch for input column '{columnName}': expected String, Vector<String> or Vector<Key<UInt32>>, got {type}");
    }

    /// <summary>A getter that reads the current row's input and encodes it (<see cref="RawReader"/> then <see cref="Encode"/>).</summary>
    public Func<long[]> MakeGetter(DataViewRow row, DataViewSchema.Column column)
    {
        var raw = RawReader(Kind, Tokenizer, KeyCount, row, column);
        return () => Encode(raw());
    }

    /// <summary>
    /// A getter that reads the current row's input before any vocabulary exists: text is tokenised, text tokens are
    /// normalised (empty ones dropped, subword tokenizers cut them into pieces), keys become ids (key k is id k + 1; the missing key and keys above
    /// <paramref name="keyCount"/> are unknown). The one place where the input kind is dispatched.
    /// </summary>
    public static Func<TokenSequence> RawReader(InputColumnKind kind, Tokenizer tokenizer, int keyCount, DataViewRow row, DataViewSchema.Column column)
    {
        switch (kind)
        {
            case InputColumnKind.Text:
            {
                var get = row.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> value = default;
                return () => { get(ref value); return TokenSequence.OfTokens(tokenizer.Tokenize(value.ToString()).ToArray()); };
            }
            case InputColumnKind.Tokens:
            {
                var get = row.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
                VBuffer<ReadOnlyMemory<char>> value = default;
                return () =>
                {
                    get(ref value);
                    return TokenSequence.OfTokens(value.DenseValues().SelectMany(t => tokenizer.SplitToken(t.ToString())).ToArray());
                };
            }
            default:
            {
                var get = row.GetGetter<VBuffer<uint>>(column);
                VBuffer<uint> value = default;
                return () =>
                {
                    get(ref value);
                    return TokenSequence.OfIds(value.DenseValues().Select(k => k == 0 || k > keyCount ? (long)Vocabulary.UnknownId : (long)k + 1).ToArray());
                };
            }
        }
    }

    /// <summary>Token ids of a sequence read by <see cref="RawReader"/>, cut to <see cref="MaxLength"/>.</summary>
    public long[] Encode(TokenSequence sequence) => text is null || sequence.Ids is not null ? Cut(sequence.Ids!) : text.Truncate(text.Vocabulary.Encode(sequence.Tokens!));

    /// <summary>Token ids of a text, tokenised and cut to <see cref="MaxLength"/>.</summary>
    public long[] EncodeText(string? value) => text!.Encode(value);

    /// <summary>The text encoder the ONNX side uses too; null for keys (which have no vocabulary).</summary>
    private readonly TextEncoder? text = Vocabulary is null ? null : new TextEncoder(Tokenizer, Vocabulary, MaxLength);

    private long[] Cut(long[] ids) => MaxLength is int max && ids.Length > max ? ids[..max] : ids;
}
