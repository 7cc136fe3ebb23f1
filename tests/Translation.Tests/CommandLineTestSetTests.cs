using RnnMl.Samples.Sentiment;

namespace RnnMl.Samples.Translation.Tests;

/// <summary>The sample's <c>--test-source FILE --test-target FILE</c> options (score an official test set).</summary>
public sealed class CommandLineTestSetTests
{
    [Fact]
    public void Parse_TestSourceAndTarget_AreKept()
    {
        var train = CommandLine.Parse(new[] { "--source", "train.de", "--target", "train.en", "--test-source", "test.de", "--test-target=test.en" }).Train!;
        Assert.Equal("test.de", train.TestSourcePath);
        Assert.Equal("test.en", train.TestTargetPath);
    }

    [Fact]
    public void Parse_OneTestFileWithoutTheOther_Fails()
    {
        Assert.Contains("--test-source and --test-target go together",
            Assert.Throws<CommandLineException>(() => CommandLine.Parse(new[] { "--test-source", "test.de" })).Message);
        Assert.Contains("--test-source and --test-target go together",
            Assert.Throws<CommandLineException>(() => CommandLine.Parse(new[] { "--data", "d.tsv", "--test-target", "test.en" })).Message);
    }
}
