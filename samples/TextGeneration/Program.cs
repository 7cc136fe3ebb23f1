using Spectre.Console;

namespace RnnMl.Samples.TextGeneration;

/// <summary>Entry point: parses the command line, runs the command, and turns expected failures into a message and an exit code.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        try
        {
            var command = CommandLine.Parse(args);
            if (command.Help)
            {
                Console.WriteLine(CommandLine.HelpText);
                return 0;
            }
            return command.Generate is { } g ? GenerateCommand.Run(g) : TrainCommand.Run(command.Train!);
        }
        catch (CommandLineException e)
        {
            Error(e.Message);
            Console.Error.WriteLine("Run with --help to see the options.");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException)
        {
            Error(e.Message);
            return 1;
        }
    }

    private static void Error(string message)
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
