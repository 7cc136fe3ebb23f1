using Spectre.Console;

namespace RnnMl.Samples.Sentiment;

/// <summary>Prints each text's probability of being positive and its label, whichever runtime scored it.</summary>
internal static class PredictionTable
{
    public static void Write(IReadOnlyList<string> texts, IReadOnlyList<(float Probability, bool Positive)> predictions)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("P(positive)").RightAligned())
            .AddColumn("Label")
            .AddColumn("Text");
        for (int i = 0; i < predictions.Count; i++)
        {
            var p = predictions[i];
            table.AddRow($"{p.Probability:F4}", p.Positive ? "[green]positive[/]" : "[red]negative[/]", Markup.Escape(texts[i]));
        }
        AnsiConsole.Write(table);
    }
}
