using RnnMl.MLNet.Classification;
using RnnMl.Torch.Layers;
using RnnMl.Torch.Training;

namespace RnnMl.Samples.Sentiment.Tests;

/// <summary>Which defaults the sample trains with: the library's with --data, the built-in data's own without.</summary>
public sealed class TrainSettingsTests
{
    private static RecurrentTextClassifierOptions Options(params string[] args) => CommandLine.Parse(args).Train!.Options();

    [Fact]
    public void WithData_UsesTheLibrarysDefaults()
    {
        var library = new RecurrentTextClassifierOptions();

        var o = Options("--data", "reviews.tsv");

        Assert.Equal(library.Cell, o.Cell);
        Assert.Equal(library.HiddenSize, o.HiddenSize);
        Assert.Equal(library.EmbeddingSize, o.EmbeddingSize);
        Assert.Equal(library.LearningRate, o.LearningRate);
        Assert.Equal(library.Optimizer, o.Optimizer);
        Assert.Equal(library.WeightDecay, o.WeightDecay);
        Assert.Equal(library.Schedule, o.Schedule);
        Assert.Equal(library.Epochs, o.Epochs);
        Assert.Equal(library.EarlyStoppingPatience, o.EarlyStoppingPatience);
        Assert.Equal(library.Dropout, o.Dropout);
        Assert.Equal(library.EmbeddingDropout, o.EmbeddingDropout);
        Assert.Equal(library.InputDropout, o.InputDropout);
        Assert.Equal(library.MaxValidationRows, o.MaxValidationRows);
        Assert.Equal(library.OutputDropout, o.OutputDropout);
        Assert.Equal(library.DropoutReferenceRows, o.DropoutReferenceRows);
        Assert.Equal(library.BatchSize, o.BatchSize);
        Assert.Equal(library.MinTokenCount, o.MinTokenCount);
        Assert.Equal(library.LabelSmoothing, o.LabelSmoothing);
        Assert.Equal(library.EnsembleSize, o.EnsembleSize);
    }

    [Fact]
    public void WithoutData_UsesTheBuiltInDatasSettings_WhichDifferFromTheLibrarys()
    {
        var o = Options();

        Assert.Equal(RecurrentCellKind.Gru, o.Cell);
        Assert.Equal(64, o.HiddenSize);
        Assert.Equal(0.01, o.LearningRate);
        Assert.Equal(LearningRateSchedule.Constant, o.Schedule);
        Assert.Equal(1, o.EnsembleSize);
        Assert.NotEqual(new RecurrentTextClassifierOptions().LearningRate, o.LearningRate);
        Assert.NotEqual(new RecurrentTextClassifierOptions().EnsembleSize, o.EnsembleSize);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GivenOptions_OverrideEitherDefaults(bool withData)
    {
        var args = new List<string> { "--hidden-size", "7", "--learning-rate", "0.003", "--cell", "rnn", "--epochs", "2", "--seed", "5", "--ensemble", "2" };
        if (withData) args.AddRange(new[] { "--data", "reviews.tsv" });

        var o = Options(args.ToArray());

        Assert.Equal(7, o.HiddenSize);
        Assert.Equal(0.003, o.LearningRate);
        Assert.Equal(RecurrentCellKind.Rnn, o.Cell);
        Assert.Equal(2, o.Epochs);
        Assert.Equal(5, o.Seed);
        Assert.Equal(2, o.EnsembleSize);
    }

    [Fact]
    public void Help_SaysWhyTheBuiltInDataHasItsOwnSettings()
    {
        Assert.Contains("Why the built-in data has settings of its own", CommandLine.HelpText);
        Assert.Contains("synthetic", CommandLine.HelpText);
    }
}
