namespace RnnMl.Text.Data;

/// <summary>Collects the token and tag lines of the sentence being read and closes it at a sentence break; shared by
/// the CoNLL readers.</summary>
internal sealed class TaggedSentenceAccumulator
{
    private readonly List<TaggedSentence> sentences = new();
    private readonly List<string> tokens = new();
    private readonly List<string> tags = new();
    private int firstLine;

    /// <summary>Tokens read so far in the open sentence.</summary>
    public int Count => tokens.Count;

    /// <summary>Adds one token line (1-based line number) to the open sentence.</summary>
    public void Add(string token, string tag, int lineNumber)
    {
        if (tokens.Count == 0) firstLine = lineNumber;
        tokens.Add(token);
        tags.Add(tag);
    }

    /// <summary>Closes the open sentence, if it has any token.</summary>
    public void Break()
    {
        if (tokens.Count > 0) sentences.Add(new TaggedSentence(tokens.ToArray(), tags.ToArray(), firstLine));
        tokens.Clear();
        tags.Clear();
    }

    /// <summary>Closes the open sentence and returns every sentence read.</summary>
    public IReadOnlyList<TaggedSentence> Finish()
    {
        Break();
        return sentences;
    }
}
