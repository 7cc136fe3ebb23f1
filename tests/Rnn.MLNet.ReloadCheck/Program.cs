// Loads a saved RnnMl model in a fresh process and prints its scores (or, for a text generator, its generated texts)
// for the texts in a file, one line each, so that a test can compare them with the output of the process that trained
// and saved the model.
// Usage: Rnn.MLNet.ReloadCheck <model.zip> <texts.txt> [--translate | --tag | --forecast | --numeric]
// With --forecast the file is a CSV whose header names Single columns (a forecaster's targets, rows in time order) and
// every added column (forecasts and bounds) of every row is printed, its values in round-trip form.
// With --numeric each line holds a numeric sequence's values separated by spaces (a Vector<Single> Features column)
// and the Score column is printed as for a classifier.
// With --translate the texts are fed as the Source column and the Translation column is printed; with --tag each line
// is split at spaces into the Tokens column and the PredictedLabel keys and Score values are printed.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet;

if (args.Length is not (2 or 3) || (args.Length == 3 && args[2] is not ("--translate" or "--tag" or "--forecast" or "--numeric")))
{
    Console.Error.WriteLine("usage: Rnn.MLNet.ReloadCheck <model.zip> <texts.txt> [--translate | --tag | --forecast | --numeric]");
    return 2;
}
var ml = new MLContext(seed: 1);
var model = ml.Model.LoadRnnModel(args[0], out _);
if (args.Length == 3 && args[2] == "--forecast")
{
    var header = File.ReadLines(args[1]).First().Split(',');
    var loader = ml.Data.CreateTextLoader(header.Select((name, i) => new TextLoader.Column(name, DataKind.Single, i)).ToArray(), separatorChar: ',', hasHeader: true);
    var series = loader.Load(args[1]);
    var forecast = model.Transform(series);
    var added = forecast.Schema.Skip(series.Schema.Count).ToArray();
    using var rowsOut = forecast.GetRowCursor(added);
    var getters = added.Select(c => rowsOut.GetGetter<VBuffer<float>>(c)).ToArray();
    VBuffer<float> v = default;
    while (rowsOut.MoveNext())
    {
        var parts = new List<string>();
        foreach (var get in getters)
        {
            get(ref v);
            parts.Add(string.Join(" ", v.DenseValues().Select(x => x.ToString("R", CultureInfo.InvariantCulture))));
        }
        Console.WriteLine(string.Join(" | ", parts));
    }
    return 0;
}
if (args.Length == 3 && args[2] == "--tag")
{
    var sentences = File.ReadAllLines(args[1]).Select(t => new TokensRow { Tokens = t.Split(' ', StringSplitOptions.RemoveEmptyEntries) }).ToList();
    var tagged = model.Transform(ml.Data.LoadFromEnumerable(sentences));
    var keys = tagged.Schema["PredictedLabel"];
    var probabilities = tagged.Schema["Score"];
    using var rowsOut = tagged.GetRowCursor(new[] { keys, probabilities });
    var getKeys = rowsOut.GetGetter<VBuffer<uint>>(keys);
    var getScores = rowsOut.GetGetter<VBuffer<float>>(probabilities);
    VBuffer<uint> k = default;
    VBuffer<float> p = default;
    while (rowsOut.MoveNext())
    {
        getKeys(ref k);
        getScores(ref p);
        Console.WriteLine(string.Join(" ", k.DenseValues()) + " | " + string.Join(" ", p.DenseValues().Select(x => x.ToString("R", CultureInfo.InvariantCulture))));
    }
    return 0;
}
if (args.Length == 3 && args[2] == "--translate")
{
    var sources = File.ReadAllLines(args[1]).Select(t => new SourceRow { Source = t }).ToList();
    var translated = model.Transform(ml.Data.LoadFromEnumerable(sources));
    var translation = translated.Schema["Translation"];
    using var translations = translated.GetRowCursor(new[] { translation });
    var getText = translations.GetGetter<ReadOnlyMemory<char>>(translation);
    ReadOnlyMemory<char> text = default;
    while (translations.MoveNext())
    {
        getText(ref text);
        Console.WriteLine($"[{text}]");
    }
    return 0;
}
var scored = args.Length == 3 && args[2] == "--numeric"
    ? model.Transform(ml.Data.LoadFromEnumerable(File.ReadAllLines(args[1]).Select(t => new NumericRow
        { Features = t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => float.Parse(x, CultureInfo.InvariantCulture)).ToArray() }).ToList()))
    : model.Transform(ml.Data.LoadFromEnumerable(File.ReadAllLines(args[1]).Select(t => new TextRow { Text = t }).ToList()));
if (scored.Schema.GetColumnOrNull("GeneratedText") is { } generated)
{
    // A text generator (reading its prompts from Text): one generated text a line, line breaks escaped.
    using var texts = scored.GetRowCursor(new[] { generated });
    var getText = texts.GetGetter<ReadOnlyMemory<char>>(generated);
    ReadOnlyMemory<char> text = default;
    while (texts.MoveNext())
    {
        getText(ref text);
        Console.WriteLine(text.ToString().Replace("\\", "\\\\").Replace("\n", "\\n"));
    }
    return 0;
}
var score = scored.Schema["Score"];
using var cursor = scored.GetRowCursor(new[] { score });
if (score.Type is VectorDataViewType)
{
    var get = cursor.GetGetter<VBuffer<float>>(score);
    VBuffer<float> v = default;
    while (cursor.MoveNext())
    {
        get(ref v);
        Console.WriteLine(string.Join(" ", v.DenseValues().Select(x => x.ToString("R", CultureInfo.InvariantCulture))));
    }
}
else
{
    var get = cursor.GetGetter<float>(score);
    float v = 0;
    while (cursor.MoveNext())
    {
        get(ref v);
        Console.WriteLine(v.ToString("R", CultureInfo.InvariantCulture));
    }
}
return 0;

internal sealed class SourceRow
{
    public string Source { get; set; } = "";
}

internal sealed class TokensRow
{
    [VectorType] public string[] Tokens { get; set; } = Array.Empty<string>();
}

internal sealed class NumericRow
{
    [VectorType] public float[] Features { get; set; } = Array.Empty<float>();
}

internal sealed class TextRow
{
    public string Text { get; set; } = "";
}
