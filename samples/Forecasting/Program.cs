namespace RnnMl.Samples.Forecasting;

/// <summary>Entry point: trains, scores against the baselines, saves the model and draws the plot; expected failures
/// become a message and an exit code (2: bad arguments or columns, 1: a missing or bad file, too few rows).</summary>
internal static class Program
{
    private static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the sample with the given arguments and writers (the tests call this).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        try
        {
            var o = SampleOptions.Parse(args);
            if (o.Help) { output.WriteLine(SampleOptions.HelpText); return 0; }
            return TrainCommand.Run(o, output);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"error: {e.Message}");
            error.WriteLine("Run with --help to see the options.");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // FileNotFoundException and DirectoryNotFoundException are IOExceptions; their messages name the path.
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
