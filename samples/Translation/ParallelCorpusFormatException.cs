namespace RnnMl.Samples.Translation;

/// <summary>A parallel corpus file that cannot be read as pairs; the message names the file and the line.</summary>
public sealed class ParallelCorpusFormatException : Exception
{
    public ParallelCorpusFormatException(string message) : base(message) { }
}
