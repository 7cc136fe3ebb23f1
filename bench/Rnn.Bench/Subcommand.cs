namespace RnnMl.Bench;

/// <summary>One row of the dispatch table: a benchmark area run as <c>Rnn.Bench &lt;name&gt; [options]</c>.</summary>
/// <param name="Name">The word on the command line.</param>
/// <param name="Summary">One line for the top-level usage message.</param>
/// <param name="Usage">The subcommand's own usage text (its options).</param>
/// <param name="Run">Runs the subcommand on the arguments after its name; returns the exit code. Throws
/// <see cref="UsageException"/> for bad arguments (exit code 2).</param>
internal sealed record Subcommand(string Name, string Summary, string Usage, Func<string[], int> Run);
