namespace RnnMl.Samples.Sentiment;

/// <summary>A bad command line (unknown option, missing or invalid value); the program prints it and exits with code 2.</summary>
internal sealed class CommandLineException : Exception
{
    public CommandLineException(string message) : base(message) { }
}
