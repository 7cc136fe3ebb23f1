using Spectre.Console;

namespace RnnMl.Samples.Sentiment;

/// <summary>Error lines on standard error, in red on a terminal (also compiled into samples/Translation).</summary>
internal static class ConsoleError
{
    /// <summary>Writes "error: message" to standard error.</summary>
    public static void Write(string message)
    {
        if (Console.IsErrorRedirected)
        {
            Console.Error.WriteLine($"error: {message}");
            return;
        }
        var stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        stderr.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    }
}
