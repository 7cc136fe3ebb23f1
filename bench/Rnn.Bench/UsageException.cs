namespace RnnMl.Bench;

/// <summary>Bad command-line arguments; the dispatcher prints the message and the subcommand's usage and exits with 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
