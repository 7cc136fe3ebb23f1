using RnnMl.MLNet.Translation;

namespace RnnMl.Samples.Translation.Tests;

/// <summary>On file data the sample trains with the library's defaults; its own tuned sizes are for the built-in corpus only.</summary>
public sealed class CommandLineDefaultsTests
{
    private static RecurrentTranslatorOptions Applied(params string[] args)
    {
        var options = new RecurrentTranslatorOptions();
        CommandLine.Parse(args).Train!.ApplySizes(options);
        return options;
    }

    [Fact]
    public void FileData_WithoutSizes_KeepsTheLibrarysDefaults()
    {
        var library = new RecurrentTranslatorOptions();
        foreach (var options in new[] { Applied("--source", "train.de", "--target", "train.en"), Applied("--data", "kor.txt") })
            Assert.Equal((library.HiddenSize, library.EmbeddingSize, library.Epochs, library.LearningRate, library.LabelSmoothing, library.TieEmbeddings, library.Dropout, library.Schedule),
                (options.HiddenSize, options.EmbeddingSize, options.Epochs, options.LearningRate, options.LabelSmoothing, options.TieEmbeddings, options.Dropout, options.Schedule));
    }

    [Fact]
    public void BuiltInCorpus_UsesTheSamplesTunedSizes()
    {
        var options = Applied();
        Assert.Equal((TrainSettings.BuiltInHiddenSize, TrainSettings.BuiltInEmbeddingSize, TrainSettings.BuiltInEpochs, TrainSettings.BuiltInLearningRate, 0.0, false),
            (options.HiddenSize, options.EmbeddingSize, options.Epochs, options.LearningRate, options.LabelSmoothing, options.TieEmbeddings));
        Assert.Equal((0.2, RnnMl.Torch.Training.LearningRateSchedule.Constant), (options.Dropout, options.Schedule));
    }

    [Fact]
    public void GivenValues_WinOnEitherData()
    {
        foreach (var data in new[] { Array.Empty<string>(), new[] { "--data", "kor.txt" } })
        {
            var options = Applied(data.Concat(new[] { "--hidden-size", "7", "--embedding-size", "11", "--epochs", "13", "--learning-rate", "0.0005" }).ToArray());
            Assert.Equal((7, 11, 13, 0.0005), (options.HiddenSize, options.EmbeddingSize, options.Epochs, options.LearningRate));
        }
    }
}
