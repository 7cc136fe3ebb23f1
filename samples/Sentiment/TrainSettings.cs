using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using RnnMl.Text;
using RnnMl.Torch.Text;

namespace RnnMl.Samples.Sentiment;

/// <summary>What the training command was asked to do; the defaults are the sample's tuned defaults for the built-in data.</summary>
internal sealed class TrainSettings
{
    public string? DataPath { get; set; }
    public string? TestPath { get; set; }
    public string? TextColumn { get; set; }
    public string? LabelColumn { get; set; }
    public RecurrentCellKind Cell { get; set; } = RecurrentCellKind.Gru;
    public int Layers { get; set; } = 1;
    public bool Bidirectional { get; set; } = true;
    public PoolingKind Pooling { get; set; } = PoolingKind.MeanMax;
    public TokenizerKind Tokenizer { get; set; } = TokenizerKind.Word;
    public int Epochs { get; set; } = 10;
    public int HiddenSize { get; set; } = 64;
    public int EmbeddingSize { get; set; } = 64;
    public int BatchSize { get; set; } = 64;
    public double LearningRate { get; set; } = 0.01;
    public int? Patience { get; set; } = 2;
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
}
