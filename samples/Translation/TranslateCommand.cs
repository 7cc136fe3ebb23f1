using Microsoft.ML;
using RnnMl.MLNet;
using Spectre.Console;

namespace RnnMl.Samples.Translation;

/// <summary>The translate command: loads a saved model and prints each sentence's translation.</summary>
internal static class TranslateCommand
{
    public static int Run(string modelPath, IReadOnlyList<string> sentences)
    {
        var ml = new MLContext();
        // A missing, corrupt or foreign file throws FileNotFoundException or InvalidDataException with a message that names it.
        var model = ml.Model.LoadRnnModel(modelPath, out _);
        var translated = model.Transform(ml.Data.LoadFromEnumerable(sentences.Select(s => new SentencePair { Source = s })));
        if (translated.Schema.GetColumnOrNull("Translation") is not { } column || column.Type is not Microsoft.ML.Data.TextDataViewType)
        {
            Program.Error($"{modelPath}: not a translation model (its output has no Translation text column)");
            return 1;
        }
        var translations = ml.Data.CreateEnumerable<Translated>(translated, reuseRowObject: false).ToList();
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Source").AddColumn("Translation");
        for (int i = 0; i < sentences.Count; i++)
            table.AddRow(Markup.Escape(sentences[i]), Markup.Escape(translations[i].Translation));
        AnsiConsole.Write(table);
        (model as IDisposable)?.Dispose();
        return 0;
    }

    private sealed class Translated
    {
        public string Translation { get; set; } = "";
    }
}
