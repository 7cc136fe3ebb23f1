using Microsoft.ML;
using RnnMl.MLNet;
using RnnMl.MLNet.Generation;
using RnnMl.Text;
using RnnMl.Torch.Layers;

namespace RnnMl.Samples.Sentiment.Tests;

/// <summary>--pretrained-lm: the classifier takes the language model's architecture (forward only) unless told otherwise.</summary>
public sealed class PretrainedLmSettingsTests
{
    private sealed class Line
    {
        public string Text { get; set; } = "";
    }

    [Fact]
    public void TakesTheLanguageModelsShape_AndOptionsGivenStillWin()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rnnml-sample-lm-{Guid.NewGuid():N}.zip");
        try
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 40).Select(i => new Line { Text = $"the film was good number {i % 7}" }));
            using (var lm = ml.Transforms.Text.GenerateText(new RecurrentTextGeneratorOptions
                   { Tokenizer = TokenizerKind.Word, Cell = RecurrentCellKind.Gru, EmbeddingSize = 6, HiddenSize = 7, NumLayers = 2, Epochs = 1, Streams = 2, BpttSteps = 5, Seed = 1 }).Fit(data))
                ml.Model.SaveRnnModel(lm, data.Schema, path);

            var o = CommandLine.Parse(["--data", "reviews.tsv", "--pretrained-lm", path]).Train!.Options();
            Assert.Equal(path, o.PretrainedLanguageModel);
            Assert.False(o.Bidirectional);
            Assert.Equal((RecurrentCellKind.Gru, 6, 7, 2), (o.Cell, o.EmbeddingSize, o.HiddenSize, o.NumLayers));

            var given = CommandLine.Parse(["--data", "reviews.tsv", "--pretrained-lm", path, "--hidden-size", "9"]).Train!.Options();
            Assert.Equal(9, given.HiddenSize);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AMissingFile_IsACommandLineError()
    {
        var e = Assert.Throws<CommandLineException>(() => CommandLine.Parse(["--data", "reviews.tsv", "--pretrained-lm", "no-such-lm.zip"]));
        Assert.Contains("no-such-lm.zip", e.Message);
    }
}
