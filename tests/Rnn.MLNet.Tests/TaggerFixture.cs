using Microsoft.ML;
using Microsoft.ML.Data;
using RnnMl.MLNet.Tagging;

namespace RnnMl.MLNet.Tests;

/// <summary>Sentences whose tags depend on context: an ambiguous word is a NOUN right after a determiner and a VERB
/// elsewhere (as often one as the other), so the word alone cannot tell its tag; names are B-PER I-PER (BIO).</summary>
internal static class ToyTagging
{
    private static readonly string[] Determiners = { "the", "a", "this" };
    private static readonly string[] Ambiguous = { "book", "run", "watch", "fly", "play" };
    private static readonly string[] Adverbs = { "quickly", "today", "often" };
    private static readonly string[] First = { "maria", "jon", "kim" };
    private static readonly string[] Last = { "lee", "smith" };

    public sealed class Row
    {
        [VectorType] public string[] Tokens { get; set; } = Array.Empty<string>();
        [VectorType] public string[] Tags { get; set; } = Array.Empty<string>();
    }

    public static List<Row> Sentences(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Row>(count);
        for (int n = 0; n < count; n++)
        {
            var tokens = new List<string>();
            var tags = new List<string>();
            int length = random.Next(3, 10);
            while (tokens.Count < length)
            {
                double u = random.NextDouble();
                if (u < 0.4) { tokens.Add(Determiners[random.Next(3)]); tags.Add("DET"); tokens.Add(Ambiguous[random.Next(5)]); tags.Add("NOUN"); }
                else if (u < 0.8) { tokens.Add(Ambiguous[random.Next(5)]); tags.Add("VERB"); }
                else if (u < 0.9) { tokens.Add(Adverbs[random.Next(3)]); tags.Add("ADV"); }
                else { tokens.Add(First[random.Next(3)]); tags.Add("B-PER"); if (random.Next(2) == 0) { tokens.Add(Last[random.Next(2)]); tags.Add("I-PER"); } }
            }
            rows.Add(new Row { Tokens = tokens.ToArray(), Tags = tags.ToArray() });
        }
        return rows;
    }

    public static RecurrentSequenceTaggerOptions Options() => new()
    {
        EmbeddingSize = 8,
        HiddenSize = 16,
        CharacterEmbeddingSize = 4,
        CharacterHiddenSize = 4,
        Dropout = 0,
        Epochs = 12,
        LearningRate = 0.02,
        MinTokenCount = 1,
        EarlyStoppingPatience = null,
        PredictionBatchSize = 7,
        Seed = 1,
    };
}

/// <summary>A tagger pipeline (MapValueToKey → tagger) trained once per test class; PredictionBatchSize 7 so that
/// batched tagging ends with a partial batch.</summary>
public sealed class TaggerFixture : IDisposable
{
    public TaggerFixture()
    {
        Ml = new MLContext(seed: 1);
        TrainRows = ToyTagging.Sentences(400, seed: 1);
        var seen = TrainRows.Select(r => string.Join(' ', r.Tokens)).ToHashSet();
        TestRows = ToyTagging.Sentences(2000, seed: 2).Where(r => !seen.Contains(string.Join(' ', r.Tokens))).Take(150).ToList();
        Train = Ml.Data.LoadFromEnumerable(TrainRows);
        Test = Ml.Data.LoadFromEnumerable(TestRows);
        Keys = Ml.Transforms.Conversion.MapValueToKey("Label", "Tags").Fit(Train);
        Model = Ml.MulticlassClassification.Trainers.RecurrentSequenceTagger(ToyTagging.Options()).Fit(Keys.Transform(Train));
    }

    public MLContext Ml { get; }
    internal List<ToyTagging.Row> TrainRows { get; }
    internal List<ToyTagging.Row> TestRows { get; }
    public IDataView Train { get; }
    public IDataView Test { get; }
    public ITransformer Keys { get; }
    public RecurrentSequenceTaggerTransformer Model { get; }

    public void Dispose() => Model.Dispose();
}
