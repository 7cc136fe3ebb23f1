using RnnMl.MLNet.Generation;
using RnnMl.Torch.Decoding;
using RnnMl.Torch.Layers;

namespace RnnMl.MLNet;

/// <summary>Adds the recurrent text generator (a char-RNN language model) to ML.NET's text transforms catalog.</summary>
/// <example>
/// <code>
/// var generator = ml.Transforms.Text.GenerateText(new RecurrentTextGeneratorOptions { HiddenSize = 256, MaxTrainingTime = TimeSpan.FromMinutes(10) })
///     .Fit(corpus);                                   // a String column "Text", one line per row
/// var text = generator.Generate(new[] { "Once upon" });
/// </code>
/// </example>
public static class RecurrentTextGenerationCatalog
{
    /// <summary>
    /// Learns a recurrent language model from the text column and continues the prompts of the prompt column into the
    /// output column (String). Character-level by default.
    /// </summary>
    /// <param name="catalog"><c>mlContext.Transforms.Text</c>.</param>
    /// <param name="outputColumnName">The generated-text column. Default "GeneratedText".</param>
    /// <param name="promptColumnName">The prompt column (String) the transformer reads. Default "Prompt".</param>
    /// <param name="textColumnName">The training text column (String), rows read in order as lines of one text. Default "Text".</param>
    /// <param name="tokenizer">Character (default) or word tokens.</param>
    /// <param name="cell">The recurrent cell. Default LSTM.</param>
    /// <param name="hiddenSize">Hidden size. Default 256.</param>
    /// <param name="numLayers">Stacked layers. Default 1.</param>
    /// <param name="epochs">Training epochs at most. Default 10.</param>
    /// <param name="temperature">Sampling temperature of the transformer; 0 for greedy. Default 1.</param>
    /// <param name="maxLength">Tokens generated per row at most. Default 200.</param>
    public static RecurrentTextGeneratorEstimator GenerateText(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName = "GeneratedText", string promptColumnName = "Prompt", string textColumnName = "Text",
        TokenizerKind tokenizer = TokenizerKind.Character, RecurrentCellKind cell = RecurrentCellKind.Lstm, int hiddenSize = 256,
        int numLayers = 1, int epochs = 10, double temperature = 1.0, int maxLength = 200)
        => GenerateText(catalog, new RecurrentTextGeneratorOptions
        {
            OutputColumnName = outputColumnName, PromptColumnName = promptColumnName, TextColumnName = textColumnName,
            Tokenizer = tokenizer, Cell = cell, HiddenSize = hiddenSize, NumLayers = numLayers, Epochs = epochs,
            Sampling = new SamplingOptions { Temperature = temperature, MaxLength = maxLength },
        });

    /// <summary>The recurrent text generator with all options.</summary>
    /// <param name="catalog"><c>mlContext.Transforms.Text</c>.</param>
    /// <param name="options">The options; validated here.</param>
    /// <exception cref="ArgumentException">An option is out of range; the exception names it and its value.</exception>
    public static RecurrentTextGeneratorEstimator GenerateText(this TransformsCatalog.TextTransforms catalog, RecurrentTextGeneratorOptions options)
        => new(EnvironmentAccess.From(catalog), options);
}
