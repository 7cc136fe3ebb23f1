namespace RnnMl.Text.Tagging;

/// <summary>
/// Hard constraints on a tag sequence of K tags: which tags may start it, which may end it, and which tag may follow
/// which. A linear-chain CRF gives disallowed choices a score so low that no allowed path ever loses to them.
/// </summary>
public sealed class TagTransitionConstraints
{
    private readonly bool[] allowed;
    private readonly bool[] allowedStart;
    private readonly bool[] allowedEnd;

    private TagTransitionConstraints(int numTags, bool[] allowed, bool[] allowedStart, bool[] allowedEnd)
    {
        NumTags = numTags;
        this.allowed = allowed;
        this.allowedStart = allowedStart;
        this.allowedEnd = allowedEnd;
    }

    /// <summary>
    /// The score that replaces a disallowed start, end or transition score: −10,000, low enough that exp of it vanishes
    /// next to any allowed path in float64 and float32, finite so that a batch without any allowed path still has
    /// finite losses and gradients.
    /// </summary>
    public const double DisallowedScore = -10_000.0;

    /// <summary>K, the number of tags.</summary>
    public int NumTags { get; }

    /// <summary>Builds constraints from explicit masks (copied).</summary>
    /// <param name="allowed">(K, K): <c>allowed[i, j]</c> is true when tag j may directly follow tag i.</param>
    /// <param name="allowedStart">(K): true when a sequence may start with the tag.</param>
    /// <param name="allowedEnd">(K): true when a sequence may end with the tag.</param>
    /// <exception cref="ArgumentException">The masks are empty or their sizes differ.</exception>
    public static TagTransitionConstraints Create(bool[,] allowed, bool[] allowedStart, bool[] allowedEnd)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        ArgumentNullException.ThrowIfNull(allowedStart);
        ArgumentNullException.ThrowIfNull(allowedEnd);
        int k = allowed.GetLength(0);
        if (k < 1)
            throw new ArgumentException($"allowed must hold at least one tag, got {k} rows", nameof(allowed));
        if (allowed.GetLength(1) != k)
            throw new ArgumentException($"allowed must be square (K, K), got ({k}, {allowed.GetLength(1)})", nameof(allowed));
        if (allowedStart.Length != k)
            throw new ArgumentException($"allowedStart must have K = {k} entries, got {allowedStart.Length}", nameof(allowedStart));
        if (allowedEnd.Length != k)
            throw new ArgumentException($"allowedEnd must have K = {k} entries, got {allowedEnd.Length}", nameof(allowedEnd));
        var flat = new bool[k * k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                flat[i * k + j] = allowed[i, j];
        return new TagTransitionConstraints(k, flat, (bool[])allowedStart.Clone(), (bool[])allowedEnd.Clone());
    }

    /// <summary>Whether <paramref name="tag"/> is a tag of <paramref name="scheme"/> as <see cref="FromTagNames"/> reads it:
    /// O, or one of the scheme's one-letter prefixes (BIO: B, I; IOBES: B, I, E, S), a hyphen and a non-empty type.</summary>
    /// <param name="tag">A tag name.</param>
    /// <param name="scheme"><see cref="TagScheme.Bio"/> or <see cref="TagScheme.Iobes"/>.</param>
    public static bool BelongsTo(string tag, TagScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(tag);
        int hyphen = tag.IndexOf('-');
        string prefix = hyphen < 0 ? tag : tag[..hyphen];
        if (prefix.Length != 1) return false;
        return prefix[0] == 'O' || (Prefixes(scheme).IndexOf(prefix[0]) >= 0 && hyphen >= 0 && hyphen < tag.Length - 1);
    }

    private static string Prefixes(TagScheme scheme) => scheme == TagScheme.Bio ? "BI" : "BIES";

    /// <summary>
    /// The well-formedness constraints of a span tag scheme, for tags named as in <paramref name="tagNames"/> (index = tag id).
    /// </summary>
    /// <remarks>
    /// BIO (IOB2): a sequence never starts with <c>I-X</c>, and <c>I-X</c> follows only <c>B-X</c> or <c>I-X</c> (never <c>O</c>,
    /// <c>B-Y</c> or <c>I-Y</c>). IOBES: a sequence starts with <c>O</c>, <c>B-*</c> or <c>S-*</c> and ends with <c>O</c>,
    /// <c>E-*</c> or <c>S-*</c>; after <c>B-X</c> or <c>I-X</c> come only <c>I-X</c> or <c>E-X</c>; after <c>O</c>, <c>E-*</c>
    /// or <c>S-*</c> come only <c>O</c>, <c>B-*</c> or <c>S-*</c>. Tags that are not <c>O</c> and not prefix-hyphen-type
    /// (for example a padding tag) are rejected.
    /// </remarks>
    /// <param name="tagNames">The K tag names.</param>
    /// <param name="scheme"><see cref="TagScheme.Bio"/> or <see cref="TagScheme.Iobes"/>.</param>
    /// <exception cref="ArgumentException">A tag name does not belong to the scheme, or the scheme is IOB1 (whose spans need no constraint).</exception>
    public static TagTransitionConstraints FromTagNames(IReadOnlyList<string> tagNames, TagScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(tagNames);
        if (scheme is not (TagScheme.Bio or TagScheme.Iobes))
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, $"constraints are defined for Bio and Iobes, got {scheme}");
        int k = tagNames.Count;
        if (k < 1)
            throw new ArgumentException("tagNames must hold at least one tag, got 0", nameof(tagNames));
        var parsed = new (char Prefix, string Type)[k];
        for (int i = 0; i < k; i++)
        {
            if (!BelongsTo(tagNames[i], scheme))
                throw new ArgumentException($"tag {i} '{tagNames[i]}' is not O or one of {string.Join(", ", Prefixes(scheme).Select(p => p + "-TYPE"))} ({scheme})", nameof(tagNames));
            var tag = SpanTag.Parse(tagNames[i]);
            parsed[i] = (tag.Prefix, tag.Type);
        }

        var allowed = new bool[k, k];
        var start = new bool[k];
        var end = new bool[k];
        for (int j = 0; j < k; j++)
        {
            var (p, _) = parsed[j];
            start[j] = scheme == TagScheme.Bio ? p != 'I' : p is 'O' or 'B' or 'S';
            end[j] = scheme == TagScheme.Bio || p is 'O' or 'E' or 'S';
        }
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                var (from, fromType) = parsed[i];
                var (to, toType) = parsed[j];
                allowed[i, j] = scheme == TagScheme.Bio
                    ? to != 'I' || (from is 'B' or 'I' && fromType == toType)
                    : from is 'B' or 'I'
                        ? to is 'I' or 'E' && fromType == toType
                        : to is 'O' or 'B' or 'S';
            }
        return Create(allowed, start, end);
    }

    /// <summary>Whether tag <paramref name="to"/> may directly follow tag <paramref name="from"/>.</summary>
    public bool IsAllowed(int from, int to) => allowed[Index(from, nameof(from)) * NumTags + Index(to, nameof(to))];

    /// <summary>Whether a sequence may start with <paramref name="tag"/>.</summary>
    public bool IsAllowedStart(int tag) => allowedStart[Index(tag, nameof(tag))];

    /// <summary>Whether a sequence may end with <paramref name="tag"/>.</summary>
    public bool IsAllowedEnd(int tag) => allowedEnd[Index(tag, nameof(tag))];

    /// <summary>Whether every start, transition and end of <paramref name="tags"/> is allowed (an empty sequence is).</summary>
    public bool Allows(IReadOnlyList<long> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (tags.Count == 0) return true;
        if (!IsAllowedStart((int)tags[0]) || !IsAllowedEnd((int)tags[^1])) return false;
        for (int t = 1; t < tags.Count; t++)
            if (!IsAllowed((int)tags[t - 1], (int)tags[t])) return false;
        return true;
    }

    /// <summary>Replaces, in place, every disallowed score by <see cref="DisallowedScore"/>.</summary>
    /// <param name="start">(K) start scores.</param>
    /// <param name="end">(K) end scores.</param>
    /// <param name="transitions">(K·K) transition scores, row-major: [i·K + j] scores tag j after tag i.</param>
    /// <exception cref="ArgumentException">A span's length does not match K.</exception>
    public void Apply(Span<double> start, Span<double> end, Span<double> transitions)
    {
        if (start.Length != NumTags)
            throw new ArgumentException($"start must have K = {NumTags} entries, got {start.Length}", nameof(start));
        if (end.Length != NumTags)
            throw new ArgumentException($"end must have K = {NumTags} entries, got {end.Length}", nameof(end));
        if (transitions.Length != NumTags * NumTags)
            throw new ArgumentException($"transitions must have K·K = {NumTags * NumTags} entries, got {transitions.Length}", nameof(transitions));
        for (int i = 0; i < NumTags; i++)
        {
            if (!allowedStart[i]) start[i] = DisallowedScore;
            if (!allowedEnd[i]) end[i] = DisallowedScore;
        }
        for (int i = 0; i < allowed.Length; i++)
            if (!allowed[i]) transitions[i] = DisallowedScore;
    }

    private int Index(int tag, string name)
        => tag >= 0 && tag < NumTags ? tag : throw new ArgumentOutOfRangeException(name, tag, $"{name} must be a tag id in [0, {NumTags - 1}], got {tag}");
}
