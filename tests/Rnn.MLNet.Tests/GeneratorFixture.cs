using Microsoft.ML;
using RnnMl.MLNet.Generation;
using RnnMl.Torch.Decoding;

namespace RnnMl.MLNet.Tests;

/// <summary>Rows for the text generator: the training text and the prompts (in one POCO so that one data view serves both).</summary>
public sealed class GeneratorRow
{
    public string Text { get; set; } = "";
    public string Prompt { get; set; } = "";
}

/// <summary>POCO for PredictionEngine outputs of the generator.</summary>
public sealed class GeneratedRow
{
    public string Prompt { get; set; } = "";
    public string GeneratedText { get; set; } = "";
}

/// <summary>A tiny character generator trained once per test class on a few generated sentences.</summary>
public sealed class GeneratorFixture : IDisposable
{
    public static readonly string[] Prompts = { "the c", "a", "", "the dog ran", "x", "one cat" };

    public GeneratorFixture()
    {
        Ml = new MLContext(seed: 1);
        Rows = Sentences(160).Select(t => new GeneratorRow { Text = t, Prompt = "the" }).ToList();
        Train = Ml.Data.LoadFromEnumerable(Rows);
        PromptData = Ml.Data.LoadFromEnumerable(Prompts.Select(p => new GeneratorRow { Prompt = p }));
        Model = Ml.Transforms.Text.GenerateText(Options()).Fit(Train);
    }

    public static RecurrentTextGeneratorOptions Options(int epochs = 3) => new()
    {
        HiddenSize = 16,
        EmbeddingSize = 8,
        Epochs = epochs,
        Streams = 4,
        BpttSteps = 25,
        LearningRate = 0.01,
        Seed = 1,
        EarlyStoppingPatience = null,
        // 6 prompts in batches of 4 end with a partial batch.
        PredictionBatchSize = 4,
        Sampling = new SamplingOptions { Temperature = 0.9, MaxLength = 40, Seed = 7 },
    };

    public static IEnumerable<string> Sentences(int count)
    {
        var random = new Random(3);
        string[] who = { "the cat", "a dog", "the bird", "one cat", "the dog" };
        string[] did = { "sat", "ran", "sang", "slept" };
        string[] where = { "on the mat", "in the park", "by the tree", "at home" };
        for (int i = 0; i < count; i++)
            yield return $"{who[random.Next(who.Length)]} {did[random.Next(did.Length)]} {where[random.Next(where.Length)]}.";
    }

    public MLContext Ml { get; }
    public List<GeneratorRow> Rows { get; }
    public IDataView Train { get; }
    public IDataView PromptData { get; }
    public RecurrentTextGeneratorTransformer Model { get; }

    public void Dispose() => Model.Dispose();
}
