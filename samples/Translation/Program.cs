using RnnMl.Samples.Sentiment;

namespace RnnMl.Samples.Translation;

/// <summary>Entry point: parses the command line, runs the command, and turns expected failures into a message and an exit code.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        try
        {
            var command = CommandLine.Parse(args);
            return command.Kind switch
            {
                CommandKind.Help => Help(),
                CommandKind.Translate => TranslateCommand.Run(command.ModelPath!, command.Sentences!),
                CommandKind.Export => ExportCommand.Run(command.ModelPath!, command.OnnxPath!),
                _ => TrainCommand.Run(command.Train!),
            };
        }
        catch (CommandLineException e)
        {
            Error(e.Message);
            Console.Error.WriteLine("Run with --help to see the options.");
            return 2;
        }
        catch (Exception e) when (e is ParallelCorpusFormatException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // FileNotFoundException and DirectoryNotFoundException are IOExceptions; their messages name the path.
            Error(e.Message);
            return 1;
        }
    }

    private static int Help()
    {
        Console.WriteLine(CommandLine.HelpText);
        return 0;
    }

    /// <summary>Writes an error line to standard error.</summary>
    public static void Error(string message) => ConsoleError.Write(message);
}
