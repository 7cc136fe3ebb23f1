using RnnMl.Text;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Support;

/// <summary>A tiny character corpus and small language models over it.</summary>
internal static class LanguageModelFixtures
{
    public static readonly string[] Lines =
    {
        "the cat sat on the mat.",
        "a dog ran in the park.",
        "the bird sang a song.",
        "two cats sat in the sun.",
    };

    public static TextStream Characters() => TextStream.Build(Lines, Tokenizer.Create(TokenizerKind.Character, lowerCase: false));

    /// <summary>A model with random weights (float64 unless asked otherwise), small enough for fast tests.</summary>
    public static LanguageModel Model(TextStream stream, RecurrentCellKind cell = RecurrentCellKind.Lstm, int layers = 2, int hidden = 12,
        bool tie = false, long seed = 3, bool float64 = true)
    {
        manual_seed(seed);
        var model = LanguageModel.Create(new LanguageModelOptions
        {
            VocabularySize = stream.Count,
            EmbeddingSize = tie ? hidden : 6,
            HiddenSize = hidden,
            NumLayers = layers,
            Cell = cell,
            TieWeights = tie,
        });
        if (float64) model.to(ScalarType.Float64);
        return model;
    }
}
