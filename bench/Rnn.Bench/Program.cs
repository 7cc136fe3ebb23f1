namespace RnnMl.Bench;

/// <summary>
/// Entry point: <c>Rnn.Bench &lt;subcommand&gt; [options]</c>. Each benchmark area is one row of <see cref="Subcommands"/>;
/// it parses its own options (every subcommand understands <c>--quick</c> and <c>--help</c>).
/// </summary>
internal static class Program
{
    /// <summary>The subcommands, in the order the usage message lists them. Add a row per benchmark area.</summary>
    private static readonly Subcommand[] Subcommands =
    [
        new(RecurrentBenchmark.Name, RecurrentBenchmark.Summary, RecurrentBenchmark.Usage, RecurrentBenchmark.Run),
        new(Sentiment.SentimentBenchmark.Name, Sentiment.SentimentBenchmark.Summary, Sentiment.SentimentBenchmark.Usage, Sentiment.SentimentBenchmark.Run),
        new(Translation.TranslationBenchmark.Name, Translation.TranslationBenchmark.Summary, Translation.TranslationBenchmark.Usage, Translation.TranslationBenchmark.Run),
        new(Onnx.OnnxBenchmark.Name, Onnx.OnnxBenchmark.Summary, Onnx.OnnxBenchmark.Usage, Onnx.OnnxBenchmark.Run),
        new(CharLm.CharLmBenchmark.Name, CharLm.CharLmBenchmark.Summary, CharLm.CharLmBenchmark.Usage, CharLm.CharLmBenchmark.Run),
        new(Tagging.TaggingBenchmark.Name, Tagging.TaggingBenchmark.Summary, Tagging.TaggingBenchmark.Usage, Tagging.TaggingBenchmark.Run),
        new(Forecasting.ForecastingBenchmark.Name, Forecasting.ForecastingBenchmark.Summary, Forecasting.ForecastingBenchmark.Usage, Forecasting.ForecastingBenchmark.Run),
        new(Subwords.SubwordBenchmark.Name, Subwords.SubwordBenchmark.Summary, Subwords.SubwordBenchmark.Usage, Subwords.SubwordBenchmark.Run),
    ];

    private static int Main(string[] args)
    {
        BuildCheck.WarnIfDebug();

        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage());
            return 2;
        }
        if (args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage());
            return 0;
        }

        var command = Array.Find(Subcommands, s => s.Name == args[0]);
        if (command is null)
        {
            Console.Error.WriteLine($"error: unknown subcommand '{args[0]}'");
            Console.Error.WriteLine(Usage());
            return 2;
        }

        try
        {
            return command.Run(args[1..]);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(command.Usage);
            return 2;
        }
    }

    private static string Usage()
    {
        int width = Subcommands.Max(s => s.Name.Length) + 2;
        var lines = new List<string>
        {
            "usage: Rnn.Bench <subcommand> [--quick] [options]",
            "",
            "subcommands:",
        };
        lines.AddRange(Subcommands.Select(s => "  " + s.Name.PadRight(width) + s.Summary));
        lines.Add("");
        lines.Add("Run 'Rnn.Bench <subcommand> --help' for a subcommand's options. Build with -c Release for meaningful numbers.");
        return string.Join(Environment.NewLine, lines);
    }
}
