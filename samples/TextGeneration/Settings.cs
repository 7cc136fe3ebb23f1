using RnnMl.Text;
using RnnMl.Torch.Layers;

namespace RnnMl.Samples.TextGeneration;

/// <summary>What the default (train) command does; every default is the one --help prints.</summary>
internal sealed record TrainSettings
{
    public const int BuiltInLines = 4_000;
    public string? DataPath { get; init; }
    public TokenizerKind Tokenizer { get; init; } = TokenizerKind.Character;
    public int SubwordVocabularySize { get; init; } = 8_000;
    public RecurrentCellKind Cell { get; init; } = RecurrentCellKind.Lstm;
    public int Layers { get; init; } = 1;
    public int HiddenSize { get; init; } = 128;
    public int Epochs { get; init; } = 6;
    public int Streams { get; init; } = 32;
    public int Steps { get; init; } = 64;
    public double LearningRate { get; init; } = 4e-3;
    public int Seed { get; init; } = 1;
    public int Threads { get; init; } = 1;
    public string ModelOut { get; init; } = "textgen-model.zip";
}

/// <summary>What <c>generate</c> does.</summary>
internal sealed record GenerateSettings
{
    public string ModelPath { get; init; } = "";
    public string Prompt { get; init; } = "";
    public double Temperature { get; init; } = 0.8;
    public int? TopK { get; init; }
    public double TopP { get; init; } = 1.0;
    public int MaxLength { get; init; } = 200;
    public int Count { get; init; } = 3;
    public int? Seed { get; init; }
    public IReadOnlyList<string> Stop { get; init; } = Array.Empty<string>();
    public int Threads { get; init; } = 1;
}

/// <summary>A parsed command line: exactly one of the settings, or help.</summary>
internal sealed record ParsedCommand(TrainSettings? Train, GenerateSettings? Generate, bool Help);

/// <summary>A bad command line; the message says which option and why.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
