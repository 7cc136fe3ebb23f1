using RnnMl.MLNet;
using RnnMl.MLNet.Classification;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Text;
using RnnMl.Torch.Text;
using RnnMl.Torch.Training;

namespace RnnMl.Samples.Sentiment;

/// <summary>
/// What the training command was asked to do. Model and training settings left null take their defaults from
/// <see cref="Options"/>: the library's defaults (chosen on real data) with --data, the built-in data's settings without.
/// </summary>
internal sealed class TrainSettings
{
    public string? DataPath { get; set; }
    public string? TestPath { get; set; }
    public string? TextColumn { get; set; }
    public string? LabelColumn { get; set; }
    public RecurrentCellKind? Cell { get; set; }
    public int? Layers { get; set; }
    public bool? Bidirectional { get; set; }
    public PoolingKind? Pooling { get; set; }
    public TokenizerKind Tokenizer { get; set; } = TokenizerKind.Word;
    public int? SubwordVocabularySize { get; set; }
    public int? Epochs { get; set; }
    public int? HiddenSize { get; set; }
    public int? EnsembleSize { get; set; }
    public int? BatchSize { get; set; }
    public double? LearningRate { get; set; }
    public string? PretrainedLm { get; set; }
    public string ModelOut { get; set; } = "sentiment-model.zip";
    public string PlotOut { get; set; } = "sentiment-training.png";
    public int Seed { get; set; } = 1;
    public int Threads { get; set; } = 1;

    /// <summary>Built-in data: training reviews.</summary>
    public const int BuiltInTrainCount = 6_000;

    /// <summary>Built-in data: held-out test reviews.</summary>
    public const int BuiltInTestCount = 1_500;

    /// <summary>Share of --data held out for testing when there is no --test file.</summary>
    public const double HoldOutFraction = 0.2;

    /// <summary>Why the built-in data has settings of its own; printed by the help and when training on it.</summary>
    public const string BuiltInSettingsReason =
        "The built-in data are 6,000 short synthetic reviews whose label depends on word order alone; a small GRU (hidden 64, " +
        "embedding 64) with Adam 0.01, constant, and the old light dropout learns them in seconds, as one model rather than the " +
        "library's ensemble of three. Those settings were tuned " +
        "on synthetic data, where every setting scores about 100 %, and are not a recommendation for real text: with --data " +
        "the sample uses the library's defaults, which were chosen on SST-2 and the UCI review sets (see the README).";

    /// <summary>The settings the built-in synthetic data uses (see <see cref="BuiltInSettingsReason"/>).</summary>
    public static RecurrentTextClassifierOptions BuiltInDefaults() => new()
    {
        Cell = RecurrentCellKind.Gru,
        HiddenSize = 64,
        EmbeddingSize = 64,
        Epochs = 10,
        LearningRate = 0.01,
        Optimizer = OptimizerKind.Adam,
        WeightDecay = 0,
        Schedule = LearningRateSchedule.Constant,
        EarlyStoppingPatience = 2,
        // 10 % held out for the best epoch and early stopping (the library's default holds out none: see README).
        ValidationFraction = 0.1,
        Dropout = 0.3,
        EmbeddingDropout = 0,
        InputDropout = 0.3,
        OutputDropout = 0,
        // The dropouts above are the built-in data's own; they are not scaled by its size (6,000 rows would not be anyway).
        DropoutReferenceRows = null,
        // One model: on the synthetic reviews it already scores about 100 %, and an ensemble would take three times as long.
        EnsembleSize = 1,
    };

    private static LanguageModelOptions LanguageModelShape(string path)
    {
        using var model = new Microsoft.ML.MLContext().Model.LoadRnnModel(path, out _) as RnnMl.MLNet.Generation.RecurrentTextGeneratorTransformer
            ?? throw new CommandLineException($"--pretrained-lm: '{path}' holds no language model (train one with the TextGeneration sample)");
        return model.Model.Options;
    }

    /// <summary>Whether the built-in data is used (no --data).</summary>
    public bool BuiltIn => DataPath is null;

    /// <summary>The classifier's options: the library's defaults with --data, <see cref="BuiltInDefaults"/> without, then every setting given on the command line.</summary>
    public RecurrentTextClassifierOptions Options()
    {
        var o = BuiltIn ? BuiltInDefaults() : new RecurrentTextClassifierOptions();
        if (PretrainedLm is { } lm)
        {
            // The language model's architecture, so that its weights fit; options given below still win (and a mismatch
            // is then reported by the trainer, naming both values).
            var shape = LanguageModelShape(lm);
            (o.PretrainedLanguageModel, o.Bidirectional, o.Cell) = (lm, false, shape.Cell);
            (o.EmbeddingSize, o.HiddenSize, o.NumLayers) = (shape.EmbeddingSize, shape.HiddenSize, shape.NumLayers);
        }
        if (Cell is { } cell) o.Cell = cell;
        if (Layers is { } layers) o.NumLayers = layers;
        if (Bidirectional is { } bidirectional) o.Bidirectional = bidirectional;
        if (Pooling is { } pooling) o.Pooling = pooling;
        if (Epochs is { } epochs) o.Epochs = epochs;
        if (HiddenSize is { } hidden) o.HiddenSize = hidden;
        if (EnsembleSize is { } ensemble) o.EnsembleSize = ensemble;
        if (BatchSize is { } batch) o.BatchSize = batch;
        if (LearningRate is { } lr) o.LearningRate = lr;
        o.Tokenizer = Tokenizer;
        if (SubwordVocabularySize is { } vocab) o.SubwordVocabularySize = vocab;
        o.Seed = Seed;
        return o;
    }
}
