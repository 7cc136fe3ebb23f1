using Spectre.Console;

namespace RnnMl.Samples.Sentiment;

/// <summary>Entry point: parses the command line, runs the command, and turns expected failures into a message and an exit code.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        ParsedCommand command;
        try
        {
            command = CommandLine.Parse(args);
        }
        catch (CommandLineException e)
        {
            return BadCommandLine(e);
        }
        try
        {
            switch (command.Kind)
            {
                case CommandKind.Help:
                    Console.WriteLine(CommandLine.HelpText);
                    return 0;
                case CommandKind.Predict:
                    // Kept apart so that the ONNX path never touches a TorchSharp type.
                    return command.Predict!.OnnxPath is not null ? OnnxPredictCommand.Run(command.Predict) : PredictCommand.Run(command.Predict);
                case CommandKind.Export:
                    return ExportCommand.Run(command.Export!);
                default:
                    return TrainCommand.Run(command.Train!);
            }
        }
        catch (CommandLineException e)
        {
            return BadCommandLine(e);
        }
        catch (LabeledTextFormatException e)
        {
            return Fail(e.Message);
        }
        catch (FileNotFoundException e)
        {
            return Fail(e.Message);
        }
        catch (DirectoryNotFoundException e)
        {
            return Fail(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return Fail(e.Message);
        }
    }

    /// <summary>Writes an error line to standard error.</summary>
    public static void Error(string message) => ConsoleError.Write(message);

    private static int Fail(string message)
    {
        Error(message);
        return 1;
    }

    private static int BadCommandLine(CommandLineException e)
    {
        Error(e.Message);
        Console.Error.WriteLine("Run with --help to see the options.");
        return 2;
    }
}
