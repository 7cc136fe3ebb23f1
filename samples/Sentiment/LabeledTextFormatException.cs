namespace RnnMl.Samples.Sentiment;

/// <summary>A data file that cannot be read as labelled text; the message names the file and, where there is one, the line.</summary>
public sealed class LabeledTextFormatException : FormatException
{
    /// <summary>Creates the error.</summary>
    /// <param name="source">The file (or other source) name.</param>
    /// <param name="lineNumber">The 1-based line, or null when the problem is the file as a whole.</param>
    /// <param name="problem">What is wrong, without the file and line.</param>
    public LabeledTextFormatException(string source, int? lineNumber, string problem)
        : base(lineNumber is int n ? $"{source}: line {n}: {problem}" : $"{source}: {problem}")
    {
        Source = source;
        LineNumber = lineNumber;
        Problem = problem;
    }

    /// <summary>The file (or other source) name.</summary>
    public new string Source { get; }

    /// <summary>The 1-based line of the problem, or null when the problem is the file as a whole.</summary>
    public int? LineNumber { get; }

    /// <summary>What is wrong, without the file and line.</summary>
    public string Problem { get; }
}
