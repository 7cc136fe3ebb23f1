using RnnMl.Text.Tagging;

namespace RnnMl.Text.Metrics;

/// <summary>
/// Token accuracy and span precision, recall and F1 per type and micro-averaged, computed as conlleval (the CoNLL-2000
/// evaluation script) computes them. Add sentences one at a time, then read <see cref="Result"/>.
/// </summary>
/// <remarks>
/// Spans are found with conlleval's rules, in which a tag is a prefix (B, I or O) and a type. A span ends before a tag
/// when the previous tag is B or I and the tag is B or O, or when the previous tag is not O and its type differs; a span
/// starts at a tag that is B, or I after O, or not O with a type that differs from the previous one. So ill-formed
/// sequences are read as conlleval reads them: <c>I-X</c> after <c>O</c> or after a span of another type starts a span
/// (<c>O I-X I-X</c> is one X span), <c>B-X I-Y</c> is two spans, and an <c>I-X</c> after <c>I-X</c> continues the span.
/// The same rules serve IOB2 (BIO) and IOB1, which differ only in how well-formed data is written. IOBES tags are first
/// mapped to IOB2 (B-X and S-X to B-X, I-X and E-X to I-X), as Lample et al. (2016) did before running conlleval, which
/// itself has no rule for S. Every sentence ends its open spans. A predicted span is correct when a gold span has the
/// same type, start and end. Token accuracy counts exact tag matches, O included, over all tokens.
/// </remarks>
public sealed class ConllSpanEvaluator
{
    private readonly Dictionary<string, (long Gold, long Predicted, long Correct)> counts = new(StringComparer.Ordinal);
    private long tokens;
    private long correctTokens;
    private int sentences;

    /// <summary>Creates an evaluator for tags written in <paramref name="scheme"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The scheme is not defined.</exception>
    public ConllSpanEvaluator(TagScheme scheme)
    {
        if (!Enum.IsDefined(scheme))
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, $"scheme must be Bio, Iob1 or Iobes, got {scheme}");
        Scheme = scheme;
    }

    /// <summary>The tag scheme.</summary>
    public TagScheme Scheme { get; }

    /// <summary>Adds one sentence.</summary>
    /// <param name="gold">The gold tags.</param>
    /// <param name="predicted">The predicted tags, as many as the gold tags.</param>
    /// <exception cref="ArgumentException">The counts differ (naming the sentence and both counts), or a tag is not of the scheme.</exception>
    public void Add(IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        if (gold.Count != predicted.Count)
            throw new ArgumentException($"sentence {sentences}: {gold.Count} gold tags but {predicted.Count} predicted tags", nameof(predicted));
        var goldSpans = ExtractSpans(gold, Scheme);
        var predictedSpans = ExtractSpans(predicted, Scheme);
        var goldSet = goldSpans.ToHashSet();
        foreach (var span in goldSpans) Bump(span.Type, gold: 1);
        foreach (var span in predictedSpans) Bump(span.Type, predicted: 1, correct: goldSet.Contains(span) ? 1 : 0);
        for (int i = 0; i < gold.Count; i++)
            if (string.Equals(gold[i], predicted[i], StringComparison.Ordinal)) correctTokens++;
        tokens += gold.Count;
        sentences++;
    }

    /// <summary>The scores over every sentence added so far.</summary>
    public TaggingEvaluation Result()
    {
        var perType = new SortedDictionary<string, SpanScores>(StringComparer.Ordinal);
        long g = 0, p = 0, c = 0;
        foreach (var (type, n) in counts)
        {
            perType[type] = new SpanScores(n.Gold, n.Predicted, n.Correct);
            g += n.Gold; p += n.Predicted; c += n.Correct;
        }
        return new TaggingEvaluation(tokens, correctTokens, new SpanScores(g, p, c), perType);
    }

    /// <summary>Evaluates whole corpora: <paramref name="gold"/>[i] against <paramref name="predicted"/>[i].</summary>
    /// <exception cref="ArgumentException">The sentence counts differ, or a sentence is bad (see <see cref="Add"/>).</exception>
    public static TaggingEvaluation Evaluate(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<IReadOnlyList<string>> predicted, TagScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        if (gold.Count != predicted.Count)
            throw new ArgumentException($"{gold.Count} gold sentences but {predicted.Count} predicted sentences", nameof(predicted));
        var evaluator = new ConllSpanEvaluator(scheme);
        for (int i = 0; i < gold.Count; i++) evaluator.Add(gold[i], predicted[i]);
        return evaluator.Result();
    }

    /// <summary>The spans of one sentence, found with conlleval's rules (see remarks), in order.</summary>
    /// <exception cref="ArgumentException">A tag is not O or a prefix of the scheme, a hyphen and a type (naming its position).</exception>
    public static IReadOnlyList<TagSpan> ExtractSpans(IReadOnlyList<string> tags, TagScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var spans = new List<TagSpan>();
        char prevTag = 'O';
        string prevType = "";
        int start = -1;
        for (int i = 0; i <= tags.Count; i++)
        {
            var (tag, type) = i == tags.Count ? ('O', "") : Iob(tags, i, scheme);
            bool end = (prevTag is 'B' or 'I' && tag is 'B' or 'O') || (prevTag != 'O' && prevType != type);
            bool begins = tag == 'B' || (prevTag == 'O' && tag == 'I') || (tag != 'O' && prevType != type);
            if (end && start >= 0)
            {
                spans.Add(new TagSpan(prevType, start, i));
                start = -1;
            }
            if (begins) start = i;
            (prevTag, prevType) = (tag, type);
        }
        return spans;
    }

    private static (char Tag, string Type) Iob(IReadOnlyList<string> tags, int i, TagScheme scheme)
    {
        var tag = tags[i] ?? throw new ArgumentException($"tag {i} is null", nameof(tags));
        int hyphen = tag.IndexOf('-');
        string prefix = hyphen < 0 ? tag : tag[..hyphen];
        string type = hyphen < 0 ? "" : tag[(hyphen + 1)..];
        string allowed = scheme == TagScheme.Iobes ? "BIES" : "BI";
        if (prefix == "O" && type.Length == 0) return ('O', "");
        if (prefix.Length != 1 || allowed.IndexOf(prefix[0]) < 0 || type.Length == 0)
            throw new ArgumentException($"tag {i} '{tag}' is not O or one of {string.Join(", ", allowed.Select(p => p + "-TYPE"))} ({scheme})", nameof(tags));
        return (prefix[0] switch { 'S' => 'B', 'E' => 'I', var p => p }, type);
    }

    private void Bump(string type, long gold = 0, long predicted = 0, long correct = 0)
    {
        var n = counts.GetValueOrDefault(type);
        counts[type] = (n.Gold + gold, n.Predicted + predicted, n.Correct + correct);
    }
}
